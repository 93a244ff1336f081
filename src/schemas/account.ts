import { Type } from '@sinclair/typebox'
import { UserSchema } from './auth.js'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/passwords.js'

export const SessionSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  userAgent: Type.String(),
  ip: Type.String(),
  current: Type.Boolean({ description: 'The session this request was made with' })
}, { title: 'Session', additionalProperties: false })

export const SessionList = Type.Object({ sessions: Type.Array(SessionSchema) })

export const SessionParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })

export const ChangePasswordBody = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  newPassword: Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
}, { additionalProperties: false })

export const UserParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$' }) })

export const Pagination = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 })
}, { additionalProperties: false })

export const UserPage = Type.Object({
  users: Type.Array(UserSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer()
})

export const RolesBody = Type.Object({
  roles: Type.Array(Type.Union([Type.Literal('user'), Type.Literal('admin')]), { maxItems: 10, uniqueItems: true })
}, { additionalProperties: false })

export const AuditQuery = Type.Object({
  ...Pagination.properties,
  userId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{24}$' }))
}, { additionalProperties: false })

export const AuditEventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.String(),
  userAgent: Type.String(),
  at: Type.String({ format: 'date-time' }),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
}, { title: 'AuditEvent' })

export const AuditPage = Type.Object({
  events: Type.Array(AuditEventSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer()
})
