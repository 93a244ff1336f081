/** Refresh cookie is only sent to /auth/* (refresh, logout), never to API routes. */
export const REFRESH_COOKIE_PATH = '/auth'

/**
 * `__Host-` (Secure, Path=/, no Domain) for the access cookie and `__Secure-` for the path-scoped
 * refresh cookie, when Secure is on; browsers refuse prefixed cookies without Secure.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#cookie_prefixes
 */
export function cookieNames (secure: boolean) {
  return secure
    ? { access: '__Host-access_token', refresh: '__Secure-refresh_token' }
    : { access: 'access_token', refresh: 'refresh_token' }
}
