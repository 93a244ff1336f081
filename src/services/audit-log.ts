import { Types } from 'mongoose'
import type { AuditEventFields, AuditEventModel, AuditType } from '../../models/audit-event.js'
import type { ClientMeta } from './auth-service.js'

export interface AuditInput {
  userId?: string | null
  sessionId?: string | null
  actorId?: string | null
  meta: ClientMeta
  detail?: Record<string, unknown>
}

export interface AuditView {
  id: string
  type: AuditType
  userId: string | null
  sessionId: string | null
  actorId: string | null
  ip: string
  userAgent: string
  at: string
  detail: Record<string, unknown> | null
}

const oid = (id: string | null | undefined) => id && Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null

function view (d: AuditEventFields): AuditView {
  return {
    id: String(d._id),
    type: d.type,
    userId: d.userId ? String(d.userId) : null,
    sessionId: d.sessionId,
    actorId: d.actorId ? String(d.actorId) : null,
    ip: d.ip,
    userAgent: d.userAgent,
    at: new Date(d.at).toISOString(),
    detail: d.detail
  }
}

export function createAuditLog (events: AuditEventModel, retentionDays: number, onError: (err: unknown) => void, onEvent: (type: AuditType, detail?: Record<string, unknown>) => void) {
  const horizon = () => new Date(Date.now() - retentionDays * 86400_000)
  return {
    /** Never fails the request that triggered it: a lost audit line is logged instead. */
    async record (type: AuditType, input: AuditInput): Promise<void> {
      onEvent(type, input.detail)
      try {
        await events.create({
          type,
          userId: oid(input.userId),
          sessionId: input.sessionId ?? null,
          actorId: oid(input.actorId),
          ip: input.meta.ip,
          userAgent: input.meta.userAgent.slice(0, 512),
          at: new Date(),
          detail: input.detail ?? null
        })
      } catch (err) {
        onError(err)
      }
    },

    /** Newest first; events past the retention horizon are never returned, even before pruning. */
    async list (page: number, limit: number, userId?: string): Promise<{ events: AuditView[], total: number }> {
      const filter = { at: { $gte: horizon() }, ...(userId ? { userId: oid(userId) } : {}) }
      const [docs, total] = await Promise.all([
        events.find(filter).sort({ at: -1, _id: -1 }).skip((page - 1) * limit).limit(limit).lean(),
        events.countDocuments(filter)
      ])
      return { total, events: docs.map(view) }
    },

    /** Every event of one user still kept, newest first (the user's data export). */
    async forUser (userId: string): Promise<AuditView[]> {
      const docs = await events.find({ at: { $gte: horizon() }, userId: oid(userId) }).sort({ at: -1, _id: -1 }).lean()
      return docs.map(view)
    },

    async prune (): Promise<number> {
      return (await events.deleteMany({ at: { $lt: horizon() } })).deletedCount
    }
  }
}

export type AuditLog = ReturnType<typeof createAuditLog>
