import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * A mail waiting to be sent (or sent). The background sender claims one with a compare-and-swap
 * on `lockedUntil`, so each mail goes out once even with several instances. The body, which may
 * hold a one-time link, is erased once the mail is sent or given up.
 */
export interface OutboxFields {
  _id: Types.ObjectId
  to: string
  subject: string
  text: string | null
  html: string | null
  status: 'pending' | 'sent' | 'failed'
  attempts: number
  nextAttemptAt: Date
  /** A sender holds the mail until then; a crashed sender's claim expires. */
  lockedUntil: Date | null
  lastError: string | null
  createdAt: Date
  sentAt: Date | null
}

export type OutboxModel = Model<OutboxFields>

const outboxSchema = new Schema<OutboxFields>({
  to: { type: String, required: true },
  subject: { type: String, required: true },
  text: { type: String, default: null },
  html: { type: String, default: null },
  status: { type: String, required: true, enum: ['pending', 'sent', 'failed'], default: 'pending' },
  attempts: { type: Number, default: 0 },
  nextAttemptAt: { type: Date, required: true },
  lockedUntil: { type: Date, default: null },
  lastError: { type: String, default: null },
  createdAt: { type: Date, default: () => new Date() },
  sentAt: { type: Date, default: null }
}, { versionKey: false, collection: 'outbox' })
outboxSchema.index({ status: 1, nextAttemptAt: 1 })

export function bindOutboxModel (connection: Connection): OutboxModel {
  return connection.model<OutboxFields>('Outbox', outboxSchema)
}

/** Mails sent to one address, per kind, for the silent per-address limits (src/lib/mail-policy.ts). */
export interface MailQuotaFields {
  /** emailKey(`${kind}:${email}`). */
  _id: Types.ObjectId
  lastAt: Date
  windowStart: Date
  count: number
}

export type MailQuotaModel = Model<MailQuotaFields>

const mailQuotaSchema = new Schema<MailQuotaFields>({
  _id: { type: Schema.Types.ObjectId, required: true },
  lastAt: { type: Date, required: true },
  windowStart: { type: Date, required: true },
  count: { type: Number, required: true }
}, { versionKey: false, collection: 'mail_quotas' })
mailQuotaSchema.index({ lastAt: 1 }, { expireAfterSeconds: 7200, name: 'lastAt_ttl' })

export function bindMailQuotaModel (connection: Connection): MailQuotaModel {
  return connection.model<MailQuotaFields>('MailQuota', mailQuotaSchema)
}
