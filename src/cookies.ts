import { serialize } from 'cookie'

/**
 * The refresh cookie is set twice, with one value: once for each route that reads it. No other
 * route, /auth/* included, ever receives it.
 */
export const REFRESH_COOKIE_PATHS = ['/auth/refresh', '/auth/logout'] as const
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

/**
 * Whether the request carries two access or two refresh cookies: ours and one that a sibling
 * subdomain planted on a broader path or domain (cookie tossing). Which is ours cannot be told,
 * and using the other would swap the user into an attacker's session. A header carries one pair
 * per path and domain that set a cookie of that name; one pass counts both names.
 */
export function hasAmbiguousCookies (header: string | undefined, names: { access: string, refresh: string }): boolean {
  if (!header) return false
  let access = 0
  let refresh = 0
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1) continue
    const name = pair.slice(0, eq).trim()
    if (name === names.access) access++
    else if (name === names.refresh) refresh++
  }
  return access > 1 || refresh > 1
}

/** Set-Cookie values that delete the access and refresh cookies where this server sets them. */
export function clearingCookies (secure: boolean, sameSite: 'strict' | 'lax' | 'none'): string[] {
  const names = cookieNames(secure)
  const gone = { httpOnly: true, secure, sameSite, expires: new Date(0) } as const
  return [
    serialize(names.access, '', { ...gone, path: '/' }),
    ...REFRESH_COOKIE_PATHS.map(path => serialize(names.refresh, '', { ...gone, path }))
  ]
}
