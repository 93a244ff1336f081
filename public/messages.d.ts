// Types of ./messages.js, kept by hand beside it.

/** What a person reads for each error code. */
export declare const MESSAGES: Readonly<Record<string, string>>

/** The sentence for an error (anything with a `code`); a generic one for an unknown code, never the code. */
export declare function messageFor (err: unknown): string
