import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import { keyId, type SigningKeyFields, type SigningKeyModel } from '../../models/signing-key.js'
import type { SecretBox } from '../lib/secret-box.js'
import { generateSigningKey, peekHeader, planKeys, type KeyRecord, type PublicJwk, type SigningAlgorithm } from '../lib/signing-keys.js'
import { hasCanonicalSignature, type AccessClaims } from '../lib/tokens.js'

export type AccessAlgorithm = SigningAlgorithm | 'HS256'

/** The kid of the record that stands for ACCESS_TOKEN_SECRET while HS256 signs (no key material stored). */
const HS256_KID = 'hs256'
/** RFC 9068: an access token says so in its header. */
const TYP = 'at+jwt'
/** Verifiers reload the keys at most this often when a token names a kid they do not know. */
const RELOAD_COOLDOWN_MS = 5000

export interface AccessTokensOptions {
  model: SigningKeyModel
  /** Seals the private keys (a key derived from ENCRYPTION_KEY). */
  box: SecretBox
  alg: AccessAlgorithm
  /** ACCESS_TOKEN_SECRET: HS256's key, and after a switch from HS256 the key of its last tokens. */
  hsSecret?: string
  accessTtlSeconds: number
  /** How long verifiers may cache the JWKS (its Cache-Control max-age). */
  jwksCacheSeconds: number
  /** Rotate the signing key after this many days; 0: only on request. */
  rotationDays: number
  issuer: string
  audience?: string
  /** Keys sealed under another ENCRYPTION_KEY are replaced (development, with a generated key) instead of stopping the boot. */
  replaceUnreadableKeys: boolean
  onReplaced: (kids: string[]) => void
  now?: () => Date
}

export interface SigningKeyView {
  kid: string
  alg: AccessAlgorithm
  state: SigningKeyFields['state']
  createdAt: string
  activatedAt: string | null
  deactivatedAt: string | null
  retiredAt: string | null
}

/** A token that names a key this instance has not loaded (yet): reload, then verify again. */
export class UnknownKeyError extends Error {
  readonly code = 'FAST_JWT_INVALID_KEY'
}

/** The error a token fails with, in fast-jwt's terms (FAST_JWT_EXPIRED is told apart upstream). */
const invalid = (message: string) => Object.assign(new Error(message), { code: 'FAST_JWT_INVALID_SIGNATURE' })

const record = (k: SigningKeyFields): KeyRecord => ({ kid: k.kid, state: k.state, createdAt: k.createdAt, activatedAt: k.activatedAt, deactivatedAt: k.deactivatedAt })

type Verify = (token: string) => unknown

interface Loaded {
  sign: (claims: AccessClaims) => string
  /** By kid; HS256's (after a switch) under HS256_KID. */
  verifiers: Map<string, Verify>
  jwks: PublicJwk[]
}

/**
 * Signs access tokens with the shared `current` key and verifies them with any live key, in
 * memory (no database on the hot path). Keys live in `signing_keys`; every instance computes the
 * same plan from them (src/lib/signing-keys.ts), and a rotation is decided by one compare-and-swap.
 */
export function createAccessTokens (opts: AccessTokensOptions) {
  const { model, box } = opts
  const now = opts.now ?? (() => new Date())
  const asymmetric = opts.alg !== 'HS256'
  const retireAfterMs = (opts.accessTtlSeconds + opts.jwksCacheSeconds) * 1000
  const claimChecks = { allowedIss: opts.issuer, ...(opts.audience ? { allowedAud: opts.audience } : {}) }
  /** The registered claims every token gets besides its own. */
  const registered = { iss: opts.issuer, ...(opts.audience ? { aud: opts.audience } : {}) }
  // HS256 tokens are ours by their secret; those from before `iss` existed still verify.
  const hsVerifier = opts.hsSecret ? createVerifier({ key: opts.hsSecret, algorithms: ['HS256'], cache: false }) : undefined
  let loaded: Loaded | undefined
  let lastReload = 0
  let reloading: Promise<void> | undefined

  async function insertKey (alg: SigningAlgorithm, state: 'current' | 'next') {
    const key = generateSigningKey(alg)
    const at = now()
    await model.create({
      _id: keyId(key.kid),
      kid: key.kid,
      alg,
      publicJwk: { ...key.publicJwk },
      privateSealed: box.seal(key.privatePem, key.kid),
      state,
      createdAt: at,
      activatedAt: state === 'current' ? at : null
    })
  }

  function openPrivate (key: SigningKeyFields): string | null {
    try {
      return box.open(key.privateSealed, key.kid)
    } catch {
      return null
    }
  }

  /** Brings the stored keys in line with the plan: bootstrap, demotions, retirements. Returns the plan's inputs once settled. */
  async function settle (): Promise<SigningKeyFields[]> {
    for (let round = 0; round < 5; round++) {
      const docs = await model.find({ state: { $ne: 'retired' } }).lean<SigningKeyFields[]>()
      const at = now()
      let changed = false
      if (asymmetric) {
        // The switch from HS256: its last tokens verify until the horizon, as a previous key's do.
        if (docs.some(d => d.kid === HS256_KID && d.state === 'current')) {
          await model.updateOne({ kid: HS256_KID, state: 'current' }, { $set: { state: 'previous', deactivatedAt: at } })
          changed = true
        }
        const unreadable = docs.filter(d => d.alg !== 'HS256' && (d.state === 'current' || d.state === 'next') && openPrivate(d) === null)
        if (unreadable.length) {
          if (!opts.replaceUnreadableKeys) throw new Error(`ENCRYPTION_KEY: the signing keys ${unreadable.map(d => d.kid).join(', ')} were sealed under another ENCRYPTION_KEY; every instance needs the same one`)
          await model.updateMany({ kid: { $in: unreadable.map(d => d.kid) } }, { $set: { state: 'retired', retiredAt: at } })
          opts.onReplaced(unreadable.map(d => d.kid))
          continue
        }
        const signing = docs.filter(d => d.alg !== 'HS256')
        const plan = planKeys(signing.map(record), { now: at, retireAfterMs, rotateAfterMs: 0 })
        if (!plan.current) {
          await insertKey(opts.alg as SigningAlgorithm, 'current')
          changed = true
        }
        if (!plan.next) {
          await insertKey(opts.alg as SigningAlgorithm, 'next')
          changed = true
        }
        for (const extra of plan.extraCurrents) {
          await model.updateOne({ kid: extra.kid, state: 'current' }, { $set: { state: 'next', activatedAt: null } })
          changed = true
        }
      } else if (!docs.some(d => d.kid === HS256_KID && d.state === 'current')) {
        await model.updateOne({ _id: keyId(HS256_KID) }, {
          $set: { kid: HS256_KID, alg: 'HS256', publicJwk: {}, privateSealed: '-', state: 'current', createdAt: at, activatedAt: at, deactivatedAt: null, retiredAt: null }
        }, { upsert: true })
        changed = true
      }
      const expired = planKeys(docs.map(record), { now: at, retireAfterMs, rotateAfterMs: 0 }).toRetire
      if (expired.length) {
        await model.updateMany({ kid: { $in: expired.map(k => k.kid) }, state: 'previous' }, { $set: { state: 'retired', retiredAt: at } })
        changed = true
      }
      if (!changed) return docs
    }
    throw new Error('signing keys: could not settle their states (concurrent changes)')
  }

  async function load (): Promise<void> {
    const docs = await settle()
    const verifiers = new Map<string, Verify>()
    const jwks: PublicJwk[] = []
    let sign: Loaded['sign']
    if (asymmetric) {
      const signing = docs.filter(d => d.alg !== 'HS256')
      const current = planKeys(signing.map(record), { now: now(), retireAfterMs, rotateAfterMs: 0 }).current!
      const doc = signing.find(d => d.kid === current.kid)!
      const signer = createSigner({ algorithm: doc.alg, key: openPrivate(doc)!, kid: doc.kid, header: { alg: doc.alg, typ: TYP } })
      sign = claims => signer({ ...claims, ...registered })
      for (const d of signing) {
        const key = createPublicKey({ key: d.publicJwk as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString()
        verifiers.set(d.kid, createVerifier({ key, algorithms: [d.alg], cache: false, ...claimChecks }))
        jwks.push(d.publicJwk as unknown as PublicJwk)
      }
      if (hsVerifier && docs.some(d => d.kid === HS256_KID && d.state === 'previous')) verifiers.set(HS256_KID, hsVerifier)
    } else {
      const signer = createSigner({ algorithm: 'HS256', key: opts.hsSecret! })
      sign = claims => signer({ ...claims, ...registered })
      verifiers.set(HS256_KID, hsVerifier!)
    }
    loaded = { sign, verifiers, jwks }
  }

  /** The loaded keys: init() ran at boot, before any request. */
  const keys = (): Loaded => loaded!

  return {
    /** Loads the keys, creating the first `current` and `next` on a new database. */
    init: load,

    /** Loads the keys again (rotations by other instances, retirements). */
    reload: load,

    sign: (claims: AccessClaims): string => keys().sign(claims),

    /**
     * The verified claims, synchronously (the hot path), or throws: fast-jwt's errors, or
     * UnknownKeyError for a kid not loaded, on which the caller may `reloadForUnknownKey()` and
     * try once more. Algorithms are pinned per key: `none`, HS256 with a public key as its
     * secret, and a token whose kid names another key all fail.
     */
    verify (token: string): unknown {
      if (!hasCanonicalSignature(token)) throw invalid('non-canonical signature encoding')
      const { verifiers } = keys()
      if (!asymmetric) return verifiers.get(HS256_KID)!(token)
      const header = peekHeader(token)
      if (!header) throw invalid('not a JWS')
      if (header.alg === 'HS256' && header.kid === undefined) {
        const legacy = verifiers.get(HS256_KID)
        if (!legacy) throw invalid('HS256 tokens are no longer accepted')
        return legacy(token)
      }
      if (typeof header.kid !== 'string' || header.kid === HS256_KID) throw invalid('no key id')
      if (header.typ !== TYP) throw invalid(`not an ${TYP} token`)
      const verifier = verifiers.get(header.kid)
      if (!verifier) throw new UnknownKeyError(`unknown kid ${header.kid}`)
      return verifier(token)
    },

    /** A reload for a token with an unknown kid: at most one per few seconds, shared by concurrent callers. */
    reloadForUnknownKey (): Promise<boolean> {
      if (reloading) return reloading.then(() => true)
      if (Date.now() - lastReload < RELOAD_COOLDOWN_MS) return Promise.resolve(false)
      lastReload = Date.now()
      reloading = load().finally(() => { reloading = undefined })
      return reloading.then(() => true)
    },

    /** The public JWKs of the live keys (next, current, previous). */
    jwks: (): { keys: PublicJwk[] } => ({ keys: keys().jwks }),

    async list (): Promise<SigningKeyView[]> {
      const docs = await model.find().sort({ createdAt: -1 }).lean<SigningKeyFields[]>()
      const iso = (d: Date | null) => d?.toISOString() ?? null
      return docs.map(d => ({
        kid: d.kid, alg: d.alg, state: d.state, createdAt: d.createdAt.toISOString(), activatedAt: iso(d.activatedAt), deactivatedAt: iso(d.deactivatedAt), retiredAt: iso(d.retiredAt)
      }))
    },

    /**
     * Promotes `next` to `current` and `current` to `previous`, and makes a new `next`. Of
     * several instances rotating at once exactly one wins (a compare-and-swap on the `next`
     * key); the others reload. Resolves to whether this call rotated.
     */
    async rotate (): Promise<boolean> {
      if (!asymmetric) return false
      const docs = await model.find({ state: { $in: ['current', 'next'] }, alg: { $ne: 'HS256' } }).lean<SigningKeyFields[]>()
      const plan = planKeys(docs.map(record), { now: now(), retireAfterMs, rotateAfterMs: 0 })
      const at = now()
      const won = plan.next && plan.current && await model.updateOne({ kid: plan.next.kid, state: 'next' }, { $set: { state: 'current', activatedAt: at } })
      if (!won || won.modifiedCount !== 1) {
        await load()
        return false
      }
      await model.updateOne({ kid: plan.current!.kid, state: 'current' }, { $set: { state: 'previous', deactivatedAt: at } })
      await insertKey(opts.alg as SigningAlgorithm, 'next')
      await load()
      return true
    },

    /** Whether automatic rotation is due (SIGNING_KEY_ROTATION_DAYS after the current key's activation). */
    async rotationDue (): Promise<boolean> {
      if (!asymmetric || opts.rotationDays === 0) return false
      const docs = await model.find({ state: 'current', alg: { $ne: 'HS256' } }).lean<SigningKeyFields[]>()
      return planKeys(docs.map(record), { now: now(), retireAfterMs, rotateAfterMs: opts.rotationDays * 86400_000 }).rotationDue
    }
  }
}

export type AccessTokens = ReturnType<typeof createAccessTokens>
