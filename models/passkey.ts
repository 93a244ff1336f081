import { createHash } from 'node:crypto'
import { Schema, Types, type Connection, type Model } from 'mongoose'

/**
 * A WebAuthn credential (a passkey) of a user. Its `_id` is derived from the credential id, so
 * inserting it is the atomic "is this credential new?" check on every MongoDB-wire server.
 */
export interface PasskeyFields {
  _id: Types.ObjectId
  userId: Types.ObjectId
  /** base64url, as the browser reports it. */
  credentialId: string
  /** COSE public key, base64url. */
  publicKey: string
  /** The signature counter last seen; advanced by a compare-and-swap. 0 forever for most synced passkeys. */
  counter: number
  transports: string[]
  /** BE: fixed for the life of the credential (a synced passkey can be backed up). */
  backupEligible: boolean
  /** BS: whether it is backed up now. */
  backedUp: boolean
  name: string
  createdAt: Date
  lastUsedAt: Date | null
}

export type PasskeyModel = Model<PasskeyFields>

export function passkeyKey (credentialId: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(credentialId).digest('hex').slice(0, 24))
}

const passkeySchema = new Schema<PasskeyFields>({
  _id: { type: Schema.Types.ObjectId, required: true },
  userId: { type: Schema.Types.ObjectId, required: true },
  credentialId: { type: String, required: true },
  publicKey: { type: String, required: true },
  counter: { type: Number, default: 0 },
  transports: { type: [String], default: [] },
  backupEligible: { type: Boolean, default: false },
  backedUp: { type: Boolean, default: false },
  name: { type: String, default: '' },
  createdAt: { type: Date, default: () => new Date() },
  lastUsedAt: { type: Date, default: null }
}, { versionKey: false, collection: 'passkeys' })
passkeySchema.index({ userId: 1 })

/** A WebAuthn ceremony in progress: its challenge, valid for 5 minutes and used once. */
export interface WebAuthnChallengeFields {
  _id: Types.ObjectId
  challenge: string
  purpose: 'register' | 'login'
  /** The registering user; null for a sign-in (discoverable credentials: nobody is known yet). */
  userId: Types.ObjectId | null
  expiresAt: Date
  usedAt: Date | null
}

export type WebAuthnChallengeModel = Model<WebAuthnChallengeFields>

const webAuthnChallengeSchema = new Schema<WebAuthnChallengeFields>({
  challenge: { type: String, required: true },
  purpose: { type: String, required: true, enum: ['register', 'login'] },
  userId: { type: Schema.Types.ObjectId, default: null },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null }
}, { versionKey: false, collection: 'webauthn_challenges' })
webAuthnChallengeSchema.index({ challenge: 1 })
webAuthnChallengeSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' })

export function bindPasskeyModels (connection: Connection) {
  return {
    passkeys: connection.model<PasskeyFields>('Passkey', passkeySchema),
    webauthnChallenges: connection.model<WebAuthnChallengeFields>('WebAuthnChallenge', webAuthnChallengeSchema)
  }
}
