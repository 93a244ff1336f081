import { createHash } from 'node:crypto'
import { Schema, Types, type Connection, type Model } from 'mongoose'
import type { KeyState, SigningAlgorithm } from '../src/lib/signing-keys.js'

/** HS256 is stored as a record without key material: it stands for ACCESS_TOKEN_SECRET. */
export type StoredAlgorithm = SigningAlgorithm | 'HS256'

/**
 * A key that signs access tokens. Its private half is sealed under ENCRYPTION_KEY
 * (AES-256-GCM); its public half is published as a JWK while it is `next`, `current` or
 * `previous`.
 */
export interface SigningKeyFields {
  /** Derived from the kid (keyId): inserting a kid twice fails on every MongoDB-wire server. */
  _id: Types.ObjectId
  kid: string
  alg: StoredAlgorithm
  publicJwk: Record<string, unknown>
  privateSealed: string
  state: KeyState
  createdAt: Date
  /** Became `current`. */
  activatedAt: Date | null
  /** Became `previous`: it signs no more, and verifies until the retirement horizon. */
  deactivatedAt: Date | null
  retiredAt: Date | null
}

export type SigningKeyModel = Model<SigningKeyFields>

const signingKeySchema = new Schema<SigningKeyFields>({
  _id: { type: Schema.Types.ObjectId, required: true },
  kid: { type: String, required: true },
  alg: { type: String, required: true, enum: ['ES256', 'EdDSA', 'HS256'] },
  publicJwk: { type: Schema.Types.Mixed, required: true },
  privateSealed: { type: String, required: true },
  state: { type: String, required: true, enum: ['next', 'current', 'previous', 'retired'] },
  createdAt: { type: Date, required: true },
  activatedAt: { type: Date, default: null },
  deactivatedAt: { type: Date, default: null },
  retiredAt: { type: Date, default: null }
}, { versionKey: false, collection: 'signing_keys' })
signingKeySchema.index({ kid: 1 })

export const keyId = (kid: string) => new Types.ObjectId(createHash('sha256').update(kid).digest('hex').slice(0, 24))

export function bindSigningKeyModel (connection: Connection): SigningKeyModel {
  return connection.model<SigningKeyFields>('SigningKey', signingKeySchema)
}
