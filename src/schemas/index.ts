import {
  AuditEventSchema, AuditPageSchema, ChangePasswordRequestSchema, HealthSchema, RoleSchema, SessionListSchema,
  SessionSchema, SetRolesRequestSchema, UserPageSchema, VerifiedTokenSchema
} from './account.js'
import {
  BearerSessionSchema, CookieSessionSchema, LoginRequestSchema, RefreshRequestSchema, RegisterRequestSchema,
  UserResponseSchema, UserSchema
} from './auth.js'
import { ErrorSchema } from './common.js'

/**
 * Every named schema, registered once per app (`fastify.addSchema`) and referenced with `ref()`:
 * the validator, the serializer and the OpenAPI document (`components.schemas`) all resolve them.
 */
export const NAMED_SCHEMAS = [
  ErrorSchema, UserSchema, UserResponseSchema, CookieSessionSchema, BearerSessionSchema,
  RegisterRequestSchema, LoginRequestSchema, RefreshRequestSchema, ChangePasswordRequestSchema,
  SessionSchema, SessionListSchema, RoleSchema, SetRolesRequestSchema, UserPageSchema,
  AuditEventSchema, AuditPageSchema, VerifiedTokenSchema, HealthSchema
]
