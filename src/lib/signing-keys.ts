import { generateKeyPairSync, randomBytes } from 'node:crypto'

export type SigningAlgorithm = 'ES256' | 'EdDSA'
export type KeyState = 'next' | 'current' | 'previous' | 'retired'

/** What the key plan needs of a stored key. */
export interface KeyRecord {
  kid: string
  state: KeyState
  createdAt: Date
  activatedAt: Date | null
  deactivatedAt: Date | null
}

/** A public key as the JWKS publishes it: EC P-256 (x, y) or OKP Ed25519 (x). */
export interface PublicJwk {
  kty: string
  crv: string
  x: string
  y?: string
  kid: string
  alg: SigningAlgorithm
  use: 'sig'
}

export interface NewKey {
  kid: string
  alg: SigningAlgorithm
  /** The public half, as published in the JWKS. */
  publicJwk: PublicJwk
  /** The private half, PKCS#8 PEM: sealed before it is stored. */
  privatePem: string
}

/** A fresh key pair: P-256 for ES256, Ed25519 for EdDSA. */
export function generateSigningKey (alg: SigningAlgorithm): NewKey {
  const { publicKey, privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('ed25519')
  const kid = randomBytes(12).toString('base64url')
  return {
    kid,
    alg,
    publicJwk: { ...publicKey.export({ format: 'jwk' }) as { kty: string, crv: string, x: string, y?: string }, kid, alg, use: 'sig' },
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  }
}

export interface KeyPlanOptions {
  now: Date
  /** A `previous` key verifies for this long after it stopped signing: one access-token lifetime plus the JWKS cache time. */
  retireAfterMs: number
  /** Rotate once `current` has signed this long; 0: never by itself. */
  rotateAfterMs: number
}

export interface KeyPlan {
  /** The key that signs: of the `current` ones, the first activated (ties: the first created, then the kid). */
  current: KeyRecord | null
  /** Other `current` keys (two instances bootstrapped at once): to demote to `next`. */
  extraCurrents: KeyRecord[]
  /** The key the next rotation promotes: the oldest `next`. */
  next: KeyRecord | null
  /** `previous` keys past the horizon. */
  toRetire: KeyRecord[]
  /** Keys that verify and are published: every one not retired (nor about to be). */
  live: KeyRecord[]
  rotationDue: boolean
}

const time = (d: Date | null) => d?.getTime() ?? 0
const byAge = (a: KeyRecord, b: KeyRecord) =>
  time(a.activatedAt) - time(b.activatedAt) || a.createdAt.getTime() - b.createdAt.getTime() || (a.kid < b.kid ? -1 : 1)

/**
 * What the stored keys mean now. Every instance computes the same plan from the same documents,
 * so they all sign with the same key, whatever raced before.
 */
export function planKeys (keys: readonly KeyRecord[], opts: KeyPlanOptions): KeyPlan {
  const now = opts.now.getTime()
  const currents = keys.filter(k => k.state === 'current').sort(byAge)
  const current = currents[0] ?? null
  const next = keys.filter(k => k.state === 'next').sort(byAge)[0] ?? null
  const toRetire = keys.filter(k => k.state === 'previous' && time(k.deactivatedAt) + opts.retireAfterMs <= now)
  return {
    current,
    extraCurrents: currents.slice(1),
    next,
    toRetire,
    live: keys.filter(k => k.state !== 'retired' && !toRetire.includes(k)),
    rotationDue: current !== null && opts.rotateAfterMs > 0 && time(current.activatedAt) + opts.rotateAfterMs <= now
  }
}

/** The header of a compact JWS, or null if it is not one. Not verified: only to pick the key. */
export function peekHeader (token: string): { alg?: unknown, kid?: unknown, typ?: unknown } | null {
  const dot = token.indexOf('.')
  if (dot <= 0) return null
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString())
    return typeof header === 'object' && header !== null ? header : null
  } catch {
    return null
  }
}
