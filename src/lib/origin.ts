const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** A request header's value, the first one if it came several times. */
export const firstHeader = (v: string | string[] | undefined) => Array.isArray(v) ? v[0] : v

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

/**
 * For a GET that changes state when the browser is signed in (starting a provider link): the
 * navigation must come from this server's pages or an allowed origin. Fetch Metadata says so
 * (`same-origin`, or `none` for an address typed by the user), else the Referer; a navigation
 * with neither cannot be told from a cross-site one that suppressed its Referer, and fails.
 */
export function isSameOriginNavigation (req: Omit<OriginCheck, 'method' | 'origin'>): boolean {
  if (req.secFetchSite === 'same-origin' || req.secFetchSite === 'none') return true
  const from = req.referer === undefined ? undefined : originOf(req.referer)
  return from !== undefined && (from === originOf(req.selfOrigin) || req.allowed.includes(from))
}

/**
 * Where a flow may send the browser back to: a path on this server, or a URL on `publicUrl`'s
 * origin or an allowed one. Anything else (another host, `//host`, `/\host`, a `javascript:`
 * URL) is null: an open redirect hands an attacker a trusted link.
 */
export function safeRedirect (target: string, publicUrl: string, allowed: readonly string[]): string | null {
  if (target.startsWith('/')) {
    // "//evil" and "/\evil" are network paths to browsers; control characters can hide them.
    if (target.startsWith('//') || target.startsWith('/\\') || [...target].some(c => c <= ' ' || c === '\u007f')) return null
    return target
  }
  let url: URL
  try {
    url = new URL(target)
  } catch {
    return null
  }
  const self = new URL(publicUrl).origin
  return url.origin === self || allowed.includes(url.origin) ? url.href : null
}

/** `target` (a safeRedirect result) with `params` added to its query, still relative if it was. */
export function withQuery (target: string, params: Record<string, string>): string {
  const url = new URL(target, 'http://relative.invalid')
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.origin === 'http://relative.invalid' ? url.pathname + url.search + url.hash : url.href
}
