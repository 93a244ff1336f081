import { Type } from '@sinclair/typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/passwords.js'
import { UserSchema } from './auth.js'
import { ref } from './common.js'

export const SessionSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  userAgent: Type.String(),
  ip: Type.String(),
  current: Type.Boolean({ description: 'The session this request was made with' })
}, { $id: 'Session', additionalProperties: false, description: 'A signed-in device' })

export const SessionListSchema = Type.Object({ sessions: Type.Array(ref(SessionSchema)) }, { $id: 'SessionList' })

export const SessionParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })

export const ChangePasswordRequestSchema = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  newPassword: Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
}, { $id: 'ChangePasswordRequest', additionalProperties: false })

export const UserParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$' }) })

export const Pagination = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 })
}, { additionalProperties: false })

export const UserPageSchema = Type.Object({
  users: Type.Array(ref(UserSchema)),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer()
}, { $id: 'UserPage' })

export const RoleSchema = Type.Union([Type.Literal('user'), Type.Literal('admin')], { $id: 'Role' })

export const SetRolesRequestSchema = Type.Object({
  roles: Type.Array(ref(RoleSchema), { maxItems: 10, uniqueItems: true })
}, { $id: 'SetRolesRequest', additionalProperties: false })

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
}, { $id: 'AuditEvent' })

export const AuditPageSchema = Type.Object({
  events: Type.Array(ref(AuditEventSchema)),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer()
}, { $id: 'AuditPage' })

export const VerifiedTokenSchema = Type.Object({
  userId: Type.String(),
  sessionId: Type.String(),
  roles: Type.Array(Type.String()),
  amr: Type.Array(Type.String(), { description: 'How the session was authenticated (RFC 8176): `pwd`, and `otp` after a second factor' }),
  aal: Type.Union([Type.Literal('aal1'), Type.Literal('aal2')], { description: 'Authenticator assurance level: `aal2` after a second factor' }),
  expiresAt: Type.String({ format: 'date-time' })
}, { $id: 'VerifiedToken' })

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')])
}, { $id: 'Health' })

const Check = Type.Union([Type.Literal('ok'), Type.Literal('down')])

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: Check, redis: Type.Optional(Check) }, { description: 'Each dependency: ok or down (redis with REDIS_URL only)' })
}, { $id: 'Readiness' })
