import { randomBytes } from 'node:crypto'

/** What a one-time token is for; a token is only ever accepted for its own purpose. */
export type OneTimePurpose = 'password_reset' | 'verify_email' | 'email_change'

/**
 * 32 random bytes, base64url: unguessable, so its SHA-256 (`hashToken` in ./tokens.ts) is all
 * that needs storing.
 */
export const newOneTimeToken = (): string => randomBytes(32).toString('base64url')

/** The shape of a token we issue; anything else is refused without a database read. */
export const isOneTimeTokenShape = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token)
