import { Schema, type Connection, type Model, type Types } from 'mongoose'
import type { OneTimePurpose } from '../src/lib/one-time-tokens.js'

/** A password-reset, email-verification or email-change token: its hash only, never the token. */
export interface OneTimeTokenFields {
  _id: Types.ObjectId
  /** SHA-256 of the token. */
  tokenHash: string
  purpose: OneTimePurpose
  userId: Types.ObjectId
  /** The address the token proves (verification: the user's; email change: the new one). */
  email: string
  /** A reset asked for while the account's address was not verified: using it takes over a clean account. */
  accountUnverified: boolean
  expiresAt: Date
  /** Set once, by the compare-and-swap that consumes or voids the token. */
  usedAt: Date | null
  createdAt: Date
}

export type OneTimeTokenModel = Model<OneTimeTokenFields>

const oneTimeTokenSchema = new Schema<OneTimeTokenFields>({
  tokenHash: { type: String, required: true },
  purpose: { type: String, required: true, enum: ['password_reset', 'verify_email', 'email_change'] },
  userId: { type: Schema.Types.ObjectId, required: true },
  email: { type: String, required: true },
  accountUnverified: { type: Boolean, default: false },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null },
  createdAt: { type: Date, default: () => new Date() }
}, { versionKey: false, collection: 'one_time_tokens' })
oneTimeTokenSchema.index({ tokenHash: 1 }, { unique: true })
oneTimeTokenSchema.index({ userId: 1 })
// Real MongoDB deletes expired tokens; the embedded server ignores TTL, and reads filter on expiry.
oneTimeTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' })

export function bindOneTimeTokenModel (connection: Connection): OneTimeTokenModel {
  return connection.model<OneTimeTokenFields>('OneTimeToken', oneTimeTokenSchema)
}
