import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export interface AccessClaims {
  sub: string
  sid: string
  typ: 'access'
  roles: string[]
  /** The user's tokenVersion at issue; sensitive routes reject older ones. */
  ver: number
  /** How the session was authenticated (RFC 8176): `pwd`, then `otp` after a second factor. */
  amr: string[]
  /** Authenticator assurance level: `aal2` once a second factor was proven. */
  aal: AssuranceLevel
  /** When the session signed in or last re-authenticated (OpenID Connect's `auth_time`). */
  auth_time?: number
  iat: number
  exp: number
}

export type AssuranceLevel = 'aal1' | 'aal2'

/** The claims with `amr`/`aal` filled in for tokens issued before they existed. */
export const withAuthDefaults = (claims: AccessClaims): AccessClaims =>
  claims.amr !== undefined && claims.aal !== undefined ? claims : { ...claims, amr: claims.amr ?? ['pwd'], aal: claims.aal ?? 'aal1' }

export interface RefreshClaims {
  sub: string
  sid: string
  gen: number
  typ: 'refresh'
  jti: string
  iat: number
  exp: number
}

/**
 * Whether the JWS's signature is spelled the one way base64url spells its bytes. Decoders ignore
 * the unused low bits of the last character, so each signature has several spellings that all
 * verify; anything keyed on the token string (the verify cache, a deny list, the refresh
 * token's hash) must see one token as one string. The header and payload need no check: the
 * signature covers them as spelled.
 */
export function hasCanonicalSignature (token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1)
  return Buffer.from(signature, 'base64url').toString('base64url') === signature
}

/** SHA-256 is enough for high-entropy tokens; slow hashes are for passwords. */
export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export function hashesEqual (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** 128 random bits, hex: the session (refresh-token family) id. */
export function newSessionId (): string {
  return randomBytes(16).toString('hex')
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * Access claims, checked field by field. Tokens issued before `amr`/`aal` existed lack them;
 * `withAuthDefaults` reads those as a password login.
 */
export function isAccessClaims (v: unknown): v is AccessClaims {
  return isObject(v) && v.typ === 'access' && typeof v.sub === 'string' && typeof v.sid === 'string' &&
    Array.isArray(v.roles) && v.roles.every(r => typeof r === 'string') && Number.isSafeInteger(v.ver) &&
    (v.amr === undefined || (Array.isArray(v.amr) && v.amr.every(r => typeof r === 'string'))) &&
    (v.aal === undefined || v.aal === 'aal1' || v.aal === 'aal2') &&
    (v.auth_time === undefined || Number.isSafeInteger(v.auth_time)) &&
    Number.isSafeInteger(v.exp)
}

export function isRefreshClaims (v: unknown): v is RefreshClaims {
  return isObject(v) && v.typ === 'refresh' && typeof v.sub === 'string' && typeof v.sid === 'string' &&
    Number.isSafeInteger(v.gen) && typeof v.jti === 'string' && typeof v.iat === 'number' && Number.isSafeInteger(v.exp)
}

export interface TokenSigner {
  accessToken (input: { sub: string, sid: string, roles: string[], ver: number, amr: string[], aal: AssuranceLevel, authTime: Date, issuedAt: Date }): string
  /** `expiresAt`: the session's; the token never outlives it. */
  refreshToken (input: { sub: string, sid: string, gen: number, issuedAt: Date, expiresAt: Date }): string
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

/**
 * When an access token issued at `issuedAt` expires: exactly its `exp` claim (JWT times are
 * whole seconds). The signer and the responses that state the expiry both use this.
 */
export function accessExpiry (issuedAt: Date, ttlSeconds: number): Date {
  return new Date((seconds(issuedAt) + ttlSeconds) * 1000)
}

/**
 * Builds the two token kinds from JWT sign functions (HS256). Every claim is set here, `iat` and
 * `exp` included: the sign functions must not add an expiry of their own.
 *
 * Both are deterministic in their inputs: a refresh token is a function of (user, session,
 * generation, issue time) and a secret-derived `jti`, so the server can re-issue the exact
 * successor during the grace window while storing only its hash (the idea of Supabase's v2
 * refresh tokens). Uniqueness comes from the random session id and the generation counter.
 */
export function createTokenSigner (opts: {
  signAccess: (claims: AccessClaims) => string
  signRefresh: (claims: RefreshClaims) => string
  refreshSecret: string
  accessTtlSeconds: number
}): TokenSigner {
  const jti = (sid: string, gen: number) =>
    createHmac('sha256', opts.refreshSecret).update(`${sid}.${gen}`).digest('base64url').slice(0, 22)
  return {
    accessToken: ({ sub, sid, roles, ver, amr, aal, authTime, issuedAt }) =>
      opts.signAccess({ sub, sid, typ: 'access', roles, ver, amr, aal, auth_time: seconds(authTime), iat: seconds(issuedAt), exp: seconds(accessExpiry(issuedAt, opts.accessTtlSeconds)) }),
    refreshToken: ({ sub, sid, gen, issuedAt, expiresAt }) =>
      opts.signRefresh({ sub, sid, gen, typ: 'refresh', jti: jti(sid, gen), iat: seconds(issuedAt), exp: seconds(expiresAt) })
  }
}
