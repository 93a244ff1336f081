import { createHash } from 'node:crypto'
import { Schema, Types, type Connection, type Model } from 'mongoose'

/**
 * One document per registered email, whose `_id` is derived from the email. Duplicate `_id` is
 * the one uniqueness every MongoDB-wire server enforces (the embedded one ignores unique
 * secondary indexes), so inserting the claim is the atomic "is this email free?" check. User ids
 * stay random: a user id never reveals the email.
 */
export interface EmailClaimFields {
  _id: Types.ObjectId
  userId: Types.ObjectId
  createdAt: Date
}

export type EmailClaimModel = Model<EmailClaimFields>

/** An ObjectId derived from a normalized email: the `_id` of per-email documents. */
export function emailKey (normalizedEmail: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(normalizedEmail).digest('hex').slice(0, 24))
}

const emailClaimSchema = new Schema<EmailClaimFields>({
  _id: { type: Schema.Types.ObjectId, required: true },
  userId: { type: Schema.Types.ObjectId, required: true },
  createdAt: { type: Date, default: () => new Date() }
}, { versionKey: false, collection: 'email_claims' })

export function bindEmailClaimModel (connection: Connection): EmailClaimModel {
  return connection.model<EmailClaimFields>('EmailClaim', emailClaimSchema)
}
