import { Type } from '@sinclair/typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/passwords.js'
import { UserSchema } from './auth.js'
import { ref } from './common.js'
import { MfaStatusSchema } from './mfa.js'
import { IdentitySchema } from './oidc.js'
import { PasskeySchema } from './passkeys.js'

export const SessionSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  userAgent: Type.String({ description: 'As the device sent it' }),
  browser: Type.String({ description: 'Parsed from the user agent: "Chrome 131"; empty when it names no browser' }),
  os: Type.String({ description: 'Parsed from the user agent: "macOS 10.15", "Windows 10"; empty when unknown' }),
  device: Type.Union(['desktop', 'mobile', 'tablet', 'tv', 'bot', 'unknown'].map(d => Type.Literal(d))),
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

export const AdminUserSchema = Type.Object({
  ...UserSchema.properties,
  disabled: Type.Boolean({ description: 'An admin disabled the account: it cannot sign in or refresh' })
}, { $id: 'AdminUser', additionalProperties: false, description: 'A user as the admin API shows one' })

export const UserSearchQuery = Type.Object({
  ...Pagination.properties,
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Only users whose email starts with this (case-insensitive)' }))
}, { additionalProperties: false })

export const UserPageSchema = Type.Object({
  users: Type.Array(ref(AdminUserSchema)),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer()
}, { $id: 'UserPage' })

export const RoleSchema = Type.Union([Type.Literal('user'), Type.Literal('admin')], { $id: 'Role' })

export const SetRolesRequestSchema = Type.Object({
  roles: Type.Array(ref(RoleSchema), { maxItems: 10, uniqueItems: true })
}, { $id: 'SetRolesRequest', additionalProperties: false })

export const UpdateProfileRequestSchema = Type.Object({
  name: Type.String({ maxLength: 100, description: 'The display name; trimmed, may be empty' })
}, { $id: 'UpdateProfileRequest', additionalProperties: false })

export const DeleteAccountRequestSchema = Type.Object({
  password: Type.Optional(Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, description: 'The current password; required when the account has one' }))
}, { $id: 'DeleteAccountRequest', additionalProperties: false })

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

export const AccountExportSchema = Type.Object({
  exportedAt: Type.String({ format: 'date-time' }),
  user: Type.Object({
    ...UserSchema.properties,
    updatedAt: Type.String({ format: 'date-time' })
  }, { additionalProperties: false }),
  sessions: Type.Array(ref(SessionSchema)),
  identities: Type.Array(ref(IdentitySchema)),
  passkeys: Type.Array(ref(PasskeySchema)),
  mfa: ref(MfaStatusSchema),
  auditEvents: Type.Array(ref(AuditEventSchema))
}, { $id: 'AccountExport', description: 'Everything the server holds about the user, minus every secret and every hash of one' })

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
