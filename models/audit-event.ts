import { Schema, type Connection, type Model, type Types } from 'mongoose'

export const AUDIT_TYPES = [
  'login.success', 'login.failure', 'login.locked', 'refresh.reuse', 'session.revoked', 'session.reauthenticated',
  'sessions.revoked_all', 'password.changed', 'roles.changed',
  'password.reset_requested', 'password.reset', 'email.verified', 'email.change_requested', 'email.changed',
  'mfa.enabled', 'mfa.disabled', 'mfa.reset', 'mfa.recovery_codes_replaced', 'mfa.failure', 'mfa.locked', 'mfa.recovery_code_used',
  'identity.linked', 'identity.unlinked', 'passkey.added', 'passkey.removed', 'passkey.used', 'passkey.counter_regression',
  'signing_key.rotated', 'account.disabled', 'account.enabled', 'account.deleted', 'account.exported', 'profile.updated'
] as const

export type AuditType = typeof AUDIT_TYPES[number]

export interface AuditEventFields {
  _id: Types.ObjectId
  type: AuditType
  /** Absent for failures on unknown emails. */
  userId: Types.ObjectId | null
  sessionId: string | null
  /** Who did it when not the user (admin actions). */
  actorId: Types.ObjectId | null
  ip: string
  userAgent: string
  at: Date
  detail: Record<string, unknown> | null
}

export type AuditEventModel = Model<AuditEventFields>

const auditEventSchema = new Schema<AuditEventFields>({
  type: { type: String, enum: AUDIT_TYPES, required: true },
  userId: { type: Schema.Types.ObjectId, default: null, index: true },
  sessionId: { type: String, default: null },
  actorId: { type: Schema.Types.ObjectId, default: null },
  ip: { type: String, default: '' },
  userAgent: { type: String, default: '' },
  at: { type: Date, required: true, index: true },
  detail: { type: Schema.Types.Mixed, default: null }
}, { versionKey: false, collection: 'audit' })

export function bindAuditEventModel (connection: Connection, retentionDays: number): AuditEventModel {
  // TTL for real MongoDB; the embedded server ignores it, so AuditLog also prunes by date.
  auditEventSchema.index({ at: 1 }, { expireAfterSeconds: retentionDays * 86400, name: 'at_ttl' })
  return connection.model<AuditEventFields>('AuditEvent', auditEventSchema)
}
