import { Type, type Static } from '@sinclair/typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/passwords.js'
import { ref } from './common.js'

// Surrounding whitespace is accepted and trimmed by the service; beyond that: one @, a dot in
// the domain, no control characters (RFC 5321 caps the address at 254 octets).
const MAILBOX_CHAR = '[^\\s@\\u0000-\\u001f\\u007f]'
export const Email = Type.String({
  pattern: `^\\s*${MAILBOX_CHAR}+@${MAILBOX_CHAR}+\\.${MAILBOX_CHAR}+\\s*$`,
  maxLength: 254,
  examples: ['ada@example.com']
})
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
const JwtString = Type.String({ minLength: 1, maxLength: 4096 })

export const RegisterRequestSchema = Type.Object({
  email: Email,
  password: Password,
  name: Type.Optional(Type.String({ maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }))
}, { $id: 'RegisterRequest', additionalProperties: false })

export const LoginRequestSchema = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })
}, { $id: 'LoginRequest', additionalProperties: false })

export const RefreshRequestSchema = Type.Object({
  refreshToken: Type.Optional(JwtString)
}, {
  $id: 'RefreshRequest',
  additionalProperties: false,
  description: 'Bearer mode: the refresh token. Cookie mode: no body (the refresh cookie is read instead).'
})

export const AuthModeHeaders = Type.Object({
  'x-auth-mode': Type.Optional(Type.Union([Type.Literal('bearer'), Type.Literal('cookie')], {
    description: '`bearer`: the tokens come in the body (`BearerSession`) and no cookie is set (REST and mobile clients). `cookie` or absent: HttpOnly cookies, and a `CookieSession` body without tokens (browsers).'
  }))
})

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  emailVerified: Type.Boolean({ description: 'The owner proved the address (a verification link)' }),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  hasPassword: Type.Boolean({ description: 'The account has a password. Without one (a provider or passkey account) changePassword and changeEmail cannot be used: set one with forgotPassword and resetPassword' })
}, { $id: 'User', additionalProperties: false })

export const UserResponseSchema = Type.Object({ user: ref(UserSchema) }, { $id: 'UserResponse' })

export const SessionStateSchema = Type.Object({
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('signed-out')], {
    description: '`active`: signed in (`user` is set); `expired`: refresh, then ask again; `signed-out`: no session, or one that was revoked'
  }),
  user: Type.Union([ref(UserSchema), Type.Null()])
}, { $id: 'SessionState', additionalProperties: false, description: 'Whether this browser is signed in, answered without an error status' })
export type SessionState = Static<typeof SessionStateSchema>

export const CookieSessionSchema = Type.Object({
  tokenType: Type.Literal('Cookie', { description: 'Tells this body from a BearerSession' }),
  user: ref(UserSchema),
  accessTokenExpiresAt: Type.String({ format: 'date-time' })
}, { $id: 'CookieSession', description: 'Cookie mode: the tokens are in HttpOnly cookies, never in the body' })

export const BearerSessionSchema = Type.Object({
  tokenType: Type.Literal('Bearer'),
  user: ref(UserSchema),
  accessToken: Type.String(),
  refreshToken: Type.String({ description: 'Store it: the refresh token presented (if any) is dead from now on' }),
  expiresIn: Type.Integer({ description: 'Access token lifetime in seconds' })
}, { $id: 'BearerSession', description: 'Bearer mode (X-Auth-Mode: bearer)' })

export const PendingRegistrationSchema = Type.Object({
  tokenType: Type.Literal('None', { description: 'No session: none is started until the address is verified' }),
  user: ref(UserSchema)
}, { $id: 'PendingRegistration', description: 'Registered; log in once the address is verified (REQUIRE_EMAIL_VERIFICATION)' })

export type SessionResponseBody = Static<typeof CookieSessionSchema> | Static<typeof BearerSessionSchema>

/** One of the two, told apart by `tokenType`: what the request's X-Auth-Mode asked for. */
export const SessionResponse = Type.Unsafe<SessionResponseBody>({
  oneOf: [ref(CookieSessionSchema), ref(BearerSessionSchema)],
  discriminator: { propertyName: 'tokenType', mapping: { Cookie: '#/components/schemas/CookieSession', Bearer: '#/components/schemas/BearerSession' } }
})

const OneTimeToken = Type.String({ minLength: 1, maxLength: 256, description: 'The token from the link in the mail (after `#token=`)' })

export const ForgotPasswordRequestSchema = Type.Object({ email: Email }, { $id: 'ForgotPasswordRequest', additionalProperties: false })

export const ResetPasswordRequestSchema = Type.Object({
  token: OneTimeToken,
  newPassword: Password
}, { $id: 'ResetPasswordRequest', additionalProperties: false })

export const VerifyEmailRequestSchema = Type.Object({ token: OneTimeToken }, { $id: 'VerifyEmailRequest', additionalProperties: false })

export const ChangeEmailRequestSchema = Type.Object({
  newEmail: Email,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, description: 'The current password' })
}, { $id: 'ChangeEmailRequest', additionalProperties: false })

/** 202 with nothing to say: whether a mail went out is never told. */
export const AcceptedSchema = Type.Object({}, { $id: 'Accepted', additionalProperties: false })
