// What ui.js hands each page module (its default export).
import type { AuthClient, User } from '../client.d.ts'

export interface PageContext {
  auth: AuthClient
  /** The signed-in user; null on the signed-out pages. */
  user: User | null
  /** <main>, holding the page's template. */
  view: HTMLElement
  /** What the previous page handed over without a reload (the sign-in page's MFA challenge). */
  state: Record<string, unknown>
  /** Where to go once signed in, as the server accepted it; null for the account pages. */
  redirectTo: string | null
  /** `path` with redirect_to carried along. */
  keepTarget (path: string): string
  /** Says something in the page's own status line, if it has one. */
  pageStatus (text: string, kind?: 'info' | 'success' | 'error'): void
  /** Signed in: on to redirect_to, or the account. */
  signedIn (): void
  /** Replaces this page by another at `path` without a reload (the history keeps both). */
  show (name: string, state: Record<string, unknown>, path: string): Promise<void>
}

export type Page = (context: PageContext) => Promise<void> | void
