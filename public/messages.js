// What a person reads for each error code the server (or the browser client) can answer with.
// One table for every page; test/messages.test.ts checks it covers every code in the OpenAPI
// document.

/** @type {Readonly<Record<string, string>>} */
export const MESSAGES = Object.freeze({
  AUTH_ACCOUNT_DISABLED: 'This account is disabled. Contact the administrator.',
  AUTH_ACCOUNT_LINK_REQUIRED: 'An account with this email already exists. Sign in with its password, then link this provider from the security page.',
  AUTH_AMBIGUOUS_CREDENTIALS: 'Your sign-in could not be read safely, so you were signed out. Please sign in again.',
  AUTH_CSRF_FAILED: 'This request came from another site and was refused.',
  AUTH_EMAIL_NOT_VERIFIED: 'Confirm your email address first: follow the link we sent you.',
  AUTH_EMAIL_TAKEN: 'An account with this email already exists. Sign in, or reset your password.',
  AUTH_FORBIDDEN: 'You do not have access to this.',
  AUTH_IDENTITY_IN_USE: 'This provider account is already linked to another user.',
  AUTH_IDENTITY_NOT_FOUND: 'This linked account no longer exists.',
  AUTH_INVALID_CREDENTIALS: 'Wrong email or password.',
  AUTH_INVALID_REFRESH_TOKEN: 'Your session has ended. Please sign in again.',
  AUTH_INVALID_TOKEN: 'Your session is not valid. Please sign in again.',
  AUTH_LAST_ADMIN: 'You are the last administrator. Make someone else an administrator first.',
  AUTH_LAST_LOGIN_METHOD: 'This is your last way to sign in. Add a password or another sign-in method first.',
  AUTH_MFA_ALREADY_ENABLED: 'An authenticator app is already set up. Remove it before adding another.',
  AUTH_MFA_CHALLENGE_INVALID: 'This sign-in attempt has expired. Please sign in again.',
  AUTH_MFA_CODE_INVALID: 'That code is wrong or was already used. Try the next code from your app.',
  AUTH_MFA_FACTOR_NOT_FOUND: 'This authenticator setup has expired. Start again.',
  AUTH_MFA_NOT_ENABLED: 'Two-step sign-in is not turned on.',
  AUTH_MFA_REQUIRED: 'Enter the code from your authenticator app.',
  AUTH_NO_REFRESH_TOKEN: 'You are signed out. Please sign in.',
  AUTH_NO_TOKEN: 'You are signed out. Please sign in.',
  AUTH_OIDC_EMAIL_UNVERIFIED: 'The provider did not confirm your email address, so we cannot sign you in with it.',
  AUTH_OIDC_PROVIDER_ERROR: 'The sign-in provider is not answering. Try again in a moment.',
  AUTH_OIDC_PROVIDER_UNKNOWN: 'This sign-in provider is not available.',
  AUTH_OIDC_STATE_INVALID: 'This sign-in expired or started in another browser. Please start again.',
  AUTH_OIDC_TOKEN_INVALID: 'The sign-in provider\'s answer could not be verified. Please try again.',
  AUTH_ONE_TIME_TOKEN_INVALID: 'This link is invalid, expired or already used.',
  AUTH_PASSKEY_CANCELLED: 'No passkey was chosen.',
  AUTH_PASSKEY_FAILED: 'The passkey could not be verified. Try again, or use another way to sign in.',
  AUTH_PASSKEY_NOT_FOUND: 'This passkey no longer exists.',
  AUTH_RATE_LIMITED: 'Too many requests. Wait a minute, then try again.',
  AUTH_REFRESH_CONFLICT: 'Your account changed while this was happening. Please try again.',
  AUTH_REFRESH_REUSED: 'For your safety, this session was ended. Please sign in again.',
  AUTH_SESSION_NOT_FOUND: 'This device is already signed out.',
  AUTH_SESSION_REVOKED: 'This device was signed out. Please sign in again.',
  AUTH_STEP_UP_REQUIRED: 'For your safety, confirm it is you before doing this.',
  AUTH_TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  AUTH_TOO_MANY_ATTEMPTS: 'Too many failed attempts. Wait a few minutes, then try again.',
  AUTH_WRONG_PASSWORD: 'Your current password is wrong.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'What you entered is too long.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Something went wrong with the form. Reload the page and try again.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Something went wrong with the form. Reload the page and try again.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Something went wrong with the form. Reload the page and try again.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Something went wrong with the form. Reload the page and try again.',
  HTTP_ERROR: 'Something went wrong. Try again in a moment.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again in a moment.',
  NOT_FOUND: 'This page does not exist.',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Try again in a moment.',
  USER_NOT_FOUND: 'This user no longer exists.',
  VALIDATION_ERROR: 'Check what you entered and try again.'
})

/**
 * The sentence for an error (an AuthError, or anything with a `code`); a generic one for a code
 * this table does not know, never the code itself.
 * @param {unknown} err
 * @returns {string}
 */
export function messageFor (err) {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
  return MESSAGES[code] ?? MESSAGES.HTTP_ERROR
}
