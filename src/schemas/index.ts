import {
  AuditEventSchema, AccountExportSchema, AuditPageSchema, ChangePasswordRequestSchema, HealthSchema, ReadinessSchema, RoleSchema, SessionListSchema,
  SessionSchema, SetRolesRequestSchema, AdminUserSchema, UserPageSchema, UpdateProfileRequestSchema, DeleteAccountRequestSchema, VerifiedTokenSchema
} from './account.js'
import {
  AcceptedSchema, BearerSessionSchema, ChangeEmailRequestSchema, CookieSessionSchema, ForgotPasswordRequestSchema,
  LoginRequestSchema, PendingRegistrationSchema, RefreshRequestSchema, RegisterRequestSchema, ResetPasswordRequestSchema, SessionStateSchema, UserResponseSchema,
  UserSchema, VerifyEmailRequestSchema
} from './auth.js'
import { ErrorSchema } from './common.js'
import {
  MfaChallengeSchema, MfaCodeRequestSchema, MfaFactorSchema, MfaStatusSchema, MfaVerifyRequestSchema, RecoveryCodesSchema,
  TotpEnrolmentSchema
} from './mfa.js'
import { KEY_SCHEMAS } from './keys.js'
import { PASSKEY_SCHEMAS } from './passkeys.js'
import { REAUTH_SCHEMAS } from './reauth.js'
import { IdentityListSchema, IdentitySchema, IdTokenRequestSchema, OidcProviderListSchema, OidcProviderSchema } from './oidc.js'

/**
 * Every named schema, registered once per app (`fastify.addSchema`) and referenced with `ref()`:
 * the validator, the serializer and the OpenAPI document (`components.schemas`) all resolve them.
 */
export const NAMED_SCHEMAS = [
  ErrorSchema, UserSchema, UserResponseSchema, SessionStateSchema, CookieSessionSchema, BearerSessionSchema,
  RegisterRequestSchema, LoginRequestSchema, RefreshRequestSchema, ChangePasswordRequestSchema,
  SessionSchema, SessionListSchema, RoleSchema, SetRolesRequestSchema, AdminUserSchema, UserPageSchema, UpdateProfileRequestSchema, DeleteAccountRequestSchema,
  AuditEventSchema, AccountExportSchema, AuditPageSchema, VerifiedTokenSchema, HealthSchema, ReadinessSchema, AcceptedSchema,
  PendingRegistrationSchema, ForgotPasswordRequestSchema, ResetPasswordRequestSchema, VerifyEmailRequestSchema, ChangeEmailRequestSchema,
  MfaChallengeSchema, TotpEnrolmentSchema, MfaCodeRequestSchema, MfaVerifyRequestSchema, RecoveryCodesSchema, MfaFactorSchema, MfaStatusSchema,
  OidcProviderSchema, OidcProviderListSchema, IdTokenRequestSchema, IdentitySchema, IdentityListSchema,
  ...PASSKEY_SCHEMAS,
  ...REAUTH_SCHEMAS,
  ...KEY_SCHEMAS
]
