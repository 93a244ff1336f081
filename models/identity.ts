import { createHash } from 'node:crypto'
import { Schema, Types, type Connection, type Model } from 'mongoose'

/**
 * An account at an OpenID Connect provider, linked to a user. Its `_id` is derived from the
 * provider's (issuer, subject) pair, so inserting it is the atomic "is this identity free?"
 * check on every MongoDB-wire server (the embedded one ignores unique secondary indexes).
 */
export interface IdentityFields {
  _id: Types.ObjectId
  userId: Types.ObjectId
  /** The provider's id in this server's configuration (`google`). */
  provider: string
  issuer: string
  subject: string
  /** The address the provider asserted when the identity was linked or last used. */
  email: string
  createdAt: Date
  lastUsedAt: Date
}

export type IdentityModel = Model<IdentityFields>

/** The `_id` of the identity (`issuer`, `subject`). */
export function identityKey (issuer: string, subject: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 24))
}

const identitySchema = new Schema<IdentityFields>({
  _id: { type: Schema.Types.ObjectId, required: true },
  userId: { type: Schema.Types.ObjectId, required: true },
  provider: { type: String, required: true },
  issuer: { type: String, required: true },
  subject: { type: String, required: true },
  email: { type: String, default: '' },
  createdAt: { type: Date, default: () => new Date() },
  lastUsedAt: { type: Date, default: () => new Date() }
}, { versionKey: false, collection: 'identities' })
identitySchema.index({ userId: 1 })

/**
 * A sign-in started at a provider, bound to one browser: the browser holds a random secret in
 * an HttpOnly cookie, this document only its hash. State, nonce and PKCE verifier are derived
 * from that secret, so none of them is stored. Used once, by a compare-and-swap.
 */
export interface OidcTransactionFields {
  _id: Types.ObjectId
  secretHash: string
  provider: string
  /** Where the browser goes afterwards (checked against the allowed origins at the start). */
  redirectTo: string
  /** Set when a signed-in user links the provider instead of signing in. */
  linkUserId: Types.ObjectId | null
  /** The linking user's tokenVersion at the start: a change of credentials since voids the link. */
  linkTokenVersion: number | null
  expiresAt: Date
  usedAt: Date | null
}

export type OidcTransactionModel = Model<OidcTransactionFields>

const oidcTransactionSchema = new Schema<OidcTransactionFields>({
  secretHash: { type: String, required: true },
  provider: { type: String, required: true },
  redirectTo: { type: String, required: true },
  linkUserId: { type: Schema.Types.ObjectId, default: null },
  linkTokenVersion: { type: Number, default: null },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null }
}, { versionKey: false, collection: 'oidc_transactions' })
oidcTransactionSchema.index({ secretHash: 1 }, { unique: true })
oidcTransactionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' })

export function bindIdentityModels (connection: Connection) {
  return {
    identities: connection.model<IdentityFields>('Identity', identitySchema),
    oidcTransactions: connection.model<OidcTransactionFields>('OidcTransaction', oidcTransactionSchema)
  }
}
