const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface OriginCheck {
  method: string
  origin?: string
  referer?: string
  secFetchSite?: string
  /** This server's own origin as the browser sees it, e.g. https://auth.example.com:443 (normalized here) */
  selfOrigin: string
  allowed: readonly string[]
}

function originOf (url: string): string | undefined {
  try {
    const o = new URL(url).origin
    return o === 'null' ? undefined : o
  } catch {
    return undefined
  }
}

/**
 * CSRF defence for cookie-authenticated, state-changing requests: the browser says where the
 * request comes from (Origin, else Referer, else Fetch Metadata) and it must be this server or an
 * allowed origin. Requests with none of these headers come from non-browser clients, which a
 * cross-site page cannot make, and pass.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function isSameOriginOrAllowed (req: OriginCheck): boolean {
  if (SAFE_METHODS.has(req.method)) return true
  const self = originOf(req.selfOrigin)
  const ok = (o: string | undefined) => o !== undefined && (o === self || req.allowed.includes(o))
  if (req.origin !== undefined) return ok(originOf(req.origin))
  if (req.referer !== undefined) return ok(originOf(req.referer))
  if (req.secFetchSite !== undefined) return req.secFetchSite === 'same-origin' || req.secFetchSite === 'none'
  return true
}
