// Types of ./client.js, the browser client (cookie mode). Kept by hand and checked against the
// implementation by `npm run typecheck` (client.js refers to these types in its JSDoc).

export interface User {
  id: string
  email: string
  /** The owner proved the address (a verification link). */
  emailVerified: boolean
  name: string
  roles: string[]
  createdAt: string
  /**
   * The account has a password. Without one (a provider or passkey account) changePassword and
   * changeEmail cannot be used: forgotPassword and resetPassword set one.
   */
  hasPassword: boolean
}

export interface CookieSession {
  tokenType: 'Cookie'
  user: User
  /** ISO date: when the access token in the cookie expires (the client refreshes on demand). */
  accessTokenExpiresAt: string
}

export interface Session {
  id: string
  createdAt: string
  lastUsedAt: string
  userAgent: string
  /** Parsed from the user agent by the server: "Chrome 131"; empty when it names no browser. */
  browser: string
  /** "macOS 10.15", "iOS 17.5", "Windows 10"; empty when unknown. */
  os: string
  device: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'bot' | 'unknown'
  ip: string
  /** The session of this browser. */
  current: boolean
}

/** The second step of a login (the `mfa` of an AUTH_MFA_REQUIRED answer). */
export interface MfaChallenge {
  token: string
  methods: Array<'totp' | 'recovery_code'>
  expiresAt: string
}

/** How a signed-in user can re-authenticate (the `methods` of an AUTH_STEP_UP_REQUIRED answer). */
export type ReauthMethod = 'password' | 'totp' | 'recovery_code' | 'passkey' | 'provider'

/** A non-2xx answer: `code` is the server's stable error code (`HTTP_ERROR` when it sent none). */
export declare class AuthError extends Error {
  constructor (status: number, body?: { code?: string, message?: string, mfa?: MfaChallenge, methods?: ReauthMethod[] } | null)
  readonly status: number
  readonly code: string
  /** Set with AUTH_MFA_REQUIRED: pass `mfa.token` to verifyMfa with a code. */
  readonly mfa: MfaChallenge | undefined
  /** Set with AUTH_STEP_UP_REQUIRED: how to re-authenticate (reauthenticate, reauthenticateWithPasskey, or a provider sign-in). */
  readonly methods: ReauthMethod[] | undefined
}

export interface TotpEnrolment {
  factorId: string
  secret: string
  otpauthUri: string
  /** A PNG data: URL of the QR code. */
  qrCode: string
}

export interface MfaStatus {
  factors: Array<{ id: string, type: 'totp', createdAt: string, lastUsedAt: string | null }>
  recoveryCodesLeft: number
}

export interface OidcProvider {
  id: string
  name: string
}

/** An account at a provider, linked to this user. */
export interface Identity {
  id: string
  provider: string
  email: string
  createdAt: string
}

export interface Passkey {
  id: string
  name: string
  createdAt: string
  lastUsedAt: string | null
  /** Synced to a cloud account: survives the loss of the device. */
  backedUp: boolean
}

/** Everything the server holds about the user (GET /users/me/export), minus every secret. */
export interface AccountExport {
  exportedAt: string
  user: User & { updatedAt: string }
  sessions: Session[]
  identities: Identity[]
  passkeys: Passkey[]
  mfa: MfaStatus
  auditEvents: Array<{ id: string, type: string, userId: string | null, sessionId: string | null, actorId: string | null, ip: string, userAgent: string, at: string, detail: Record<string, unknown> | null }>
}

export interface AuthClientOptions {
  /** Where the auth server is; '' (the default) is the page's own origin. */
  baseUrl?: string
  /**
   * Called when the session is gone: a request comes back 401 for any reason but an expired
   * access token or a wrong password or code the user typed, or a refresh fails.
   */
  onLogout?: () => void
}

export interface AuthClient {
  /** fetch() with cookies; on 401 AUTH_TOKEN_EXPIRED it refreshes once and retries once. Never loops. */
  fetch (path: string, init?: RequestInit): Promise<Response>
  /** The session; or, when the server requires a verified address first, no session (`tokenType: 'None'`). */
  register (input: { email: string, password: string, name?: string }): Promise<CookieSession | { tokenType: 'None', user: User }>
  login (input: { email: string, password: string }): Promise<CookieSession>
  logout (): Promise<null>
  me (): Promise<User>
  /**
   * The signed-in user, or null, for a page load: answered with 200 either way, so a signed-out
   * visit logs no failed request. An expired access token is refreshed once.
   */
  session (): Promise<User | null>
  sessions (): Promise<Session[]>
  revokeSession (input: { id: string }): Promise<null>
  /** Signs out every device, this one included. */
  logoutAll (): Promise<null>
  /** Keeps this session; every other one is signed out. */
  changePassword (input: { currentPassword: string, newPassword: string }): Promise<null>
  updateProfile (profile: { name: string }): Promise<User>
  /** Resolves to the data; a page offers it as a file (a Blob and a download link). */
  exportAccount (): Promise<AccountExport>
  /**
   * Deletes the account and everything it owns. With the `password` of an account that has
   * one, or after a recent authentication. Fails with AUTH_STEP_UP_REQUIRED when the user must
   * re-authenticate first, AUTH_LAST_ADMIN for the last admin.
   */
  deleteAccount (input?: { password?: string }): Promise<null>
  /**
   * Proves again that it is the signed-in user, with the password or an authenticator or
   * recovery code: what AUTH_STEP_UP_REQUIRED asks for before adding or removing a way to sign
   * in or deleting the account. The same session, with new cookies.
   */
  reauthenticate (credential: { password: string } | { code: string }): Promise<CookieSession>
  /** reauthenticate with one of the user's passkeys (the browser asks). AUTH_PASSKEY_CANCELLED when the dialog is closed. */
  reauthenticateWithPasskey (): Promise<CookieSession>
  /** Mails a reset link if the address has an account; resolves the same either way. */
  forgotPassword (input: { email: string }): Promise<null>
  /** With the token from the reset link; logs nobody in. */
  resetPassword (input: { token: string, newPassword: string }): Promise<null>
  /** With the token from a verification or email-change link. */
  verifyEmail (input: { token: string }): Promise<User>
  resendVerification (): Promise<null>
  /**
   * Finishes a login that answered AUTH_MFA_REQUIRED, with an authenticator or recovery code.
   * After a provider sign-in (back with `?mfa=required`) the challenge is in a cookie: leave out `mfaToken`.
   */
  verifyMfa (input: { mfaToken?: string | null, code: string }): Promise<CookieSession>
  mfaStatus (): Promise<MfaStatus>
  /** A pending authenticator: show `qrCode`, then activate it with a first code. */
  enrolTotp (): Promise<TotpEnrolment>
  /** Resolves to the ten recovery codes, to show once. */
  activateTotp (input: { factorId: string, code: string }): Promise<string[]>
  removeTotp (input: { factorId: string, code: string }): Promise<null>
  replaceRecoveryCodes (input: { code: string }): Promise<string[]>
  /** Mails a confirmation link to the new address; the change happens when it is used. */
  changeEmail (input: { newEmail: string, password: string }): Promise<null>
  /** The configured sign-in providers: one "Continue with {name}" button each. */
  providers (): Promise<OidcProvider[]>
  /**
   * Where to send the browser (a navigation, not fetch) to sign in with a provider, or with
   * `link` to link it to the signed-in user. It comes back to `redirectTo` (default `/`),
   * signed in, or with `?mfa=required` (call verifyMfa({ code })) or `?error=CODE`.
   */
  providerSignInUrl (provider: string, options?: { redirectTo?: string, link?: boolean }): string
  identities (): Promise<Identity[]>
  /** Fails with AUTH_LAST_LOGIN_METHOD when it would leave no way to sign in. */
  unlinkIdentity (input: { id: string }): Promise<null>
  /**
   * Creates a passkey on this device (the browser asks the user) and adds it to the account.
   * AUTH_PASSKEY_CANCELLED when the user closes the browser's dialog.
   */
  addPasskey (input?: { name?: string }): Promise<Passkey>
  /**
   * Signs in with a passkey the browser offers (no email asked). With the authenticator's user
   * verification it is a two-factor session; without it, a user with an authenticator app gets
   * AUTH_MFA_REQUIRED, as after a password. AUTH_PASSKEY_CANCELLED when the user closes the
   * browser's dialog.
   */
  signInWithPasskey (): Promise<CookieSession>
  passkeys (): Promise<Passkey[]>
  renamePasskey (input: { id: string, name: string }): Promise<Passkey>
  /** Fails with AUTH_LAST_LOGIN_METHOD when it would leave no way to sign in. */
  removePasskey (input: { id: string }): Promise<null>
}

export declare function createAuthClient (options?: AuthClientOptions): AuthClient
