/** Refresh cookie is only sent to /auth/* (refresh, logout), never to API routes. */
export const REFRESH_COOKIE_PATH = '/auth'
/** The challenge of a provider sign-in that awaits its second factor goes to /auth/mfa/* only. */
export const MFA_COOKIE_PATH = '/auth/mfa'

/**
 * `__Host-` (Secure, Path=/, no Domain: no sibling subdomain can plant one) for the access and
 * provider-transaction cookies, and `__Secure-` for the path-scoped ones, when Secure is on; browsers refuse prefixed cookies without Secure.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#cookie_prefixes
 */
export function cookieNames (secure: boolean) {
  return secure
    ? { access: '__Host-access_token', refresh: '__Secure-refresh_token', oidcTransaction: '__Host-oidc_tx', mfaChallenge: '__Secure-mfa_challenge' }
    : { access: 'access_token', refresh: 'refresh_token', oidcTransaction: 'oidc_tx', mfaChallenge: 'mfa_challenge' }
}
