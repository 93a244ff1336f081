import createError from '@fastify/error'

// Every error a client can act on has a stable `code`; messages are for humans and may change.
export const EmailTakenError = createError('AUTH_EMAIL_TAKEN', 'Email is already registered', 409)
export const InvalidCredentialsError = createError('AUTH_INVALID_CREDENTIALS', 'Invalid email or password', 401)
export const NoTokenError = createError('AUTH_NO_TOKEN', 'No token provided', 401)
export const InvalidTokenError = createError('AUTH_INVALID_TOKEN', 'Invalid token', 401)
export const TokenExpiredError = createError('AUTH_TOKEN_EXPIRED', 'Token expired', 401)
export const NoRefreshTokenError = createError('AUTH_NO_REFRESH_TOKEN', 'No refresh token provided', 401)
export const InvalidRefreshTokenError = createError('AUTH_INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token', 401)
export const RefreshReusedError = createError('AUTH_REFRESH_REUSED', 'Refresh token was already used; the session has been revoked', 401)
export const RefreshConflictError = createError('AUTH_REFRESH_CONFLICT', 'Too many concurrent updates to this account; retry', 409)
export const SessionRevokedError = createError('AUTH_SESSION_REVOKED', 'Session has been revoked; log in again', 401)
export const WrongPasswordError = createError('AUTH_WRONG_PASSWORD', 'Current password is incorrect', 401)
export const ForbiddenError = createError('AUTH_FORBIDDEN', 'Forbidden', 403)
export const SessionNotFoundError = createError('AUTH_SESSION_NOT_FOUND', 'Session not found', 404)
export const UserNotFoundError = createError('USER_NOT_FOUND', 'User not found', 404)
export const CsrfError = createError('AUTH_CSRF_FAILED', 'Cross-site request refused: origin not allowed', 403)
export class TooManyAttemptsError extends createError('AUTH_TOO_MANY_ATTEMPTS', 'Too many failed login attempts; retry in %s seconds', 429) {
  readonly retryAfterSeconds: number
  constructor (seconds: number) {
    super(seconds)
    this.retryAfterSeconds = seconds
  }
}
export const RateLimitedError = createError('AUTH_RATE_LIMITED', 'Too many requests, retry in %s', 429)
export const NotFoundError = createError('NOT_FOUND', 'Route %s:%s not found', 404)
