/** One OpenID Connect provider users can sign in with ("Continue with Google"). */
export interface OidcProviderConfig {
  /** In URLs (/auth/oidc/<id>/…) and in the variables' names (OIDC_<ID>_…). */
  id: string
  /** Shown on buttons. */
  name: string
  issuer: string
  clientId: string
  clientSecret: string
  scopes: string
  /** Client ids whose ID tokens are accepted too (the platform sign-in of mobile apps). */
  audiences: string[]
}

/** Issuers everyone knows; any other provider names its own. */
const WELL_KNOWN: Record<string, { issuer: string, name: string }> = {
  google: { issuer: 'https://accounts.google.com', name: 'Google' }
}

const ID = /^[a-z][a-z0-9-]{0,31}$/
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

const list = (value: string) => value.split(',').map(v => v.trim()).filter(Boolean)

/** `ACME` for `acme`, `MY_IDP` for `my-idp`. */
export const envPrefix = (id: string) => `OIDC_${id.toUpperCase().replace(/-/g, '_')}_`

/** An issuer is https, or plain http on this machine (a provider run for development or tests). */
export function issuerProblem (issuer: string): string | null {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    return 'is not a URL'
  }
  if (url.protocol === 'https:') return null
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return null
  return 'must be https (plain http only on localhost, 127.0.0.1 or [::1])'
}

/**
 * The providers named by OIDC_PROVIDERS, each from its OIDC_<ID>_* variables. Throws an Error
 * whose message names the variable at fault.
 */
export function parseOidcProviders (env: Record<string, unknown>): OidcProviderConfig[] {
  const read = (name: string) => {
    const value = env[name]
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
  }
  const ids = list(read('OIDC_PROVIDERS') ?? '')
  const seen = new Set<string>()
  return ids.map(id => {
    if (!ID.test(id)) throw new Error(`OIDC_PROVIDERS: "${id}" is not a provider id (lowercase letters, digits and hyphens, starting with a letter)`)
    if (seen.has(id)) throw new Error(`OIDC_PROVIDERS: "${id}" is listed twice`)
    seen.add(id)
    const prefix = envPrefix(id)
    const required = (suffix: string, fallback?: string) => {
      const value = read(prefix + suffix) ?? fallback
      if (value === undefined) throw new Error(`${prefix}${suffix} is required for the OIDC provider "${id}"`)
      return value
    }
    const known = WELL_KNOWN[id]
    const issuer = required('ISSUER', known?.issuer).replace(/\/$/, '')
    const problem = issuerProblem(issuer)
    if (problem) throw new Error(`${prefix}ISSUER: "${issuer}" ${problem}`)
    const scopes = read(prefix + 'SCOPES') ?? 'openid email profile'
    if (!scopes.split(/\s+/).includes('openid')) throw new Error(`${prefix}SCOPES must include "openid"`)
    return {
      id,
      name: read(prefix + 'NAME') ?? known?.name ?? id,
      issuer,
      clientId: required('CLIENT_ID'),
      clientSecret: required('CLIENT_SECRET'),
      scopes,
      audiences: list(read(prefix + 'AUDIENCES') ?? '')
    }
  })
}
