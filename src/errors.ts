import createError from '@fastify/error'

// Every error a client can act on has a stable `code`; messages are for humans and may change.
export const EmailTakenError = createError('AUTH_EMAIL_TAKEN', 'Email is already registered', 409)
export const InvalidCredentialsError = createError('AUTH_INVALID_CREDENTIALS', 'Invalid email or password', 401)
export const NoTokenError = createError('AUTH_NO_TOKEN', 'No token provided', 401)
export const InvalidTokenError = createError('AUTH_INVALID_TOKEN', 'Invalid token', 401)
export const TokenExpiredError = createError('AUTH_TOKEN_EXPIRED', 'Token expired', 401)
export const NoRefreshTokenError = createError('AUTH_NO_REFRESH_TOKEN', 'No refresh token provided', 401)
/** The same refusal, for a client that sent its refresh token in the body without saying it uses bearer mode. */
export const RefreshTokenModeError = createError('AUTH_NO_REFRESH_TOKEN', 'A refresh token in the body needs the header X-Auth-Mode: bearer (without it, the refresh cookie is read)', 401)
/** Valid JSON that names a __proto__ or constructor key: refused, as prototype pollution. */
export const ForbiddenKeyError = createError('FST_ERR_CTP_INVALID_JSON_BODY', 'The body has a "__proto__" or "constructor" key, which is refused; rename that key', 400)
export const InvalidRefreshTokenError = createError('AUTH_INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token', 401)
export const RefreshReusedError = createError('AUTH_REFRESH_REUSED', 'Refresh token was already used; the session has been revoked', 401)
export const RefreshConflictError = createError('AUTH_REFRESH_CONFLICT', 'Too many concurrent updates to this account; retry', 409)
export const SessionRevokedError = createError('AUTH_SESSION_REVOKED', 'Session has been revoked; log in again', 401)
export const WrongPasswordError = createError('AUTH_WRONG_PASSWORD', 'Current password is incorrect', 401)
export const AmbiguousCredentialsError = createError('AUTH_AMBIGUOUS_CREDENTIALS', 'The request carried two session cookies of one name; both are cleared: sign in again', 400)
export const ForbiddenError = createError('AUTH_FORBIDDEN', 'Forbidden', 403)
export const SessionNotFoundError = createError('AUTH_SESSION_NOT_FOUND', 'Session not found', 404)
export const UserNotFoundError = createError('USER_NOT_FOUND', 'User not found', 404)
export const OneTimeTokenInvalidError = createError('AUTH_ONE_TIME_TOKEN_INVALID', 'This link is invalid, expired or already used', 400)
export const EmailNotVerifiedError = createError('AUTH_EMAIL_NOT_VERIFIED', 'Confirm your email address first: follow the link we sent', 403)
export const MfaCodeInvalidError = createError('AUTH_MFA_CODE_INVALID', 'Wrong or already used code', 401)
export const MfaChallengeInvalidError = createError('AUTH_MFA_CHALLENGE_INVALID', 'This sign-in attempt is expired, used or void; log in again', 401)
export const MfaAlreadyEnabledError = createError('AUTH_MFA_ALREADY_ENABLED', 'An authenticator is already active; remove it first', 409)
export const MfaNotEnabledError = createError('AUTH_MFA_NOT_ENABLED', 'No authenticator is active', 409)
export const MfaFactorNotFoundError = createError('AUTH_MFA_FACTOR_NOT_FOUND', 'No such authenticator (or it expired before activation)', 404)

export const InvalidRedirectError = createError('VALIDATION_ERROR', 'redirect_to must be a path on this server or a URL on an allowed origin', 400)
export const ReauthInputError = createError('VALIDATION_ERROR', 'Send exactly one of password and code', 400)
export const OidcProviderUnknownError = createError('AUTH_OIDC_PROVIDER_UNKNOWN', 'No such sign-in provider', 404)
export const OidcStateInvalidError = createError('AUTH_OIDC_STATE_INVALID', 'This sign-in did not start in this browser, or was already finished; start again', 400)
/** The provider refused, or could not be reached: its answer is logged, not sent. */
export const OidcProviderError = createError('AUTH_OIDC_PROVIDER_ERROR', 'The sign-in provider returned an error or could not be reached', 502)
export const OidcEmailUnverifiedError = createError('AUTH_OIDC_EMAIL_UNVERIFIED', 'The provider does not confirm that this email address is verified', 403)
export const OidcTokenInvalidError = createError('AUTH_OIDC_TOKEN_INVALID', 'The ID token is invalid, expired, or not for this app', 401)
export const AccountLinkRequiredError = createError('AUTH_ACCOUNT_LINK_REQUIRED', 'An account with this email exists: sign in with its password, then link the provider from the account page', 409)
export const IdentityInUseError = createError('AUTH_IDENTITY_IN_USE', 'This provider account is already linked to another user', 409)
export const IdentityNotFoundError = createError('AUTH_IDENTITY_NOT_FOUND', 'No such linked identity', 404)
export const LastLoginMethodError = createError('AUTH_LAST_LOGIN_METHOD', 'This is the last way to sign in to this account; add another first (a password, by "forgot password")', 409)
export const AccountDisabledError = createError('AUTH_ACCOUNT_DISABLED', 'This account is disabled; contact the administrator', 403)
export const LastAdminError = createError('AUTH_LAST_ADMIN', 'This is the last admin: make another user admin first', 409)
export const PasskeyRegistrationFailedError = createError('AUTH_PASSKEY_FAILED', 'The passkey could not be verified', 400)
export const PasskeyLoginFailedError = createError('AUTH_PASSKEY_FAILED', 'The passkey could not be verified', 401)
export const PasskeyNotFoundError = createError('AUTH_PASSKEY_NOT_FOUND', 'No such passkey', 404)

/**
 * How a signed-in user can prove again that it is them (POST /auth/reauthenticate): their
 * password, an authenticator or recovery code, a passkey, or signing in again with a provider.
 */
export type ReauthMethod = 'password' | 'totp' | 'recovery_code' | 'passkey' | 'provider'

/** The action needs a recent authentication; the body's `methods` say how this user can give one. */
export class StepUpRequiredError extends createError('AUTH_STEP_UP_REQUIRED', 'Confirm it is you first (re-authenticate), then try again', 403) {
  /** Added to the error body by the error handler. */
  readonly body: { methods: ReauthMethod[] } | undefined
  constructor (methods?: ReauthMethod[]) {
    super()
    this.body = methods && { methods }
  }
}

/** What a client needs to finish a login that awaits its second factor. */
export interface MfaChallengeBody {
  token: string
  methods: Array<'totp' | 'recovery_code'>
  expiresAt: string
}

/** The password was right; the body's `mfa` object carries what POST /auth/mfa/verify needs. */
export class MfaRequiredError extends createError('AUTH_MFA_REQUIRED', 'Second factor required', 401) {
  /** Added to the error body by the error handler. */
  readonly body: { mfa: MfaChallengeBody } | undefined
  constructor (mfa?: MfaChallengeBody) {
    super()
    this.body = mfa && { mfa }
  }
}

export const CsrfError = createError('AUTH_CSRF_FAILED', 'Cross-site request refused: origin not allowed', 403)
export class TooManyAttemptsError extends createError('AUTH_TOO_MANY_ATTEMPTS', 'Too many failed login attempts; retry in %s seconds', 429) {
  readonly retryAfterSeconds: number
  constructor (seconds = 0) {
    super(seconds)
    this.retryAfterSeconds = seconds
  }
}
export const RateLimitedError = createError('AUTH_RATE_LIMITED', 'Too many requests, retry in %s', 429)
export const NotFoundError = createError('NOT_FOUND', 'Route %s:%s not found', 404)
export const ServiceUnavailableError = createError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly', 503)

/** An error class of ours, or a code that Fastify or the error handler produces. */
export type ErrorKind = (new () => { code: string }) | string

export function codeOf (kind: ErrorKind): string {
  if (typeof kind === 'string') return kind
  const ErrorClass = kind
  return new ErrorClass().code
}

/** What the error handler answers for any 5xx: the cause is logged, never sent. */
export const INTERNAL_ERROR = 'INTERNAL_ERROR'
export const VALIDATION_ERROR = 'VALIDATION_ERROR'

/** The statuses and codes of a request whose JSON body Fastify refuses before any handler runs. */
export const BODY_ERRORS = {
  400: [VALIDATION_ERROR, 'FST_ERR_CTP_EMPTY_JSON_BODY', 'FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'],
  413: ['FST_ERR_CTP_BODY_TOO_LARGE'],
  415: ['FST_ERR_CTP_INVALID_MEDIA_TYPE']
} satisfies Record<number, ErrorKind[]>

/** Any route that checks an access token (plugins/app/authenticate.ts). */
export const TOKEN_ERRORS = {
  400: [AmbiguousCredentialsError],
  401: [NoTokenError, InvalidTokenError, TokenExpiredError]
} satisfies Record<number, ErrorKind[]>

/** Sensitive routes also check the session in the database (plugins/app/authorization.ts). */
export const SESSION_ERRORS = { ...TOKEN_ERRORS, 401: [...TOKEN_ERRORS[401], SessionRevokedError] } satisfies Record<number, ErrorKind[]>

/** Browser-facing routes that change state refuse cross-site requests (plugins/app/csrf.ts). */
export const CSRF_ERRORS = { 403: [CsrfError] } satisfies Record<number, ErrorKind[]>
