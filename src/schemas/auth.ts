import { Type, type Static } from '@sinclair/typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/passwords.js'

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

export const RegisterBody = Type.Object({
  email: Email,
  password: Password,
  name: Type.Optional(Type.String({ maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }))
}, { additionalProperties: false })

export const LoginBody = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })
}, { additionalProperties: false })

export const RefreshBody = Type.Object({
  refreshToken: Type.Optional(JwtString)
}, { additionalProperties: false, description: 'Bearer mode only; cookie clients send no body' })

export const AuthModeHeaders = Type.Object({
  'x-auth-mode': Type.Optional(Type.Union([Type.Literal('bearer'), Type.Literal('cookie')], {
    description: '`bearer`: tokens in the body, no cookies (REST/mobile). Default `cookie` (browsers).'
  }))
})

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' })
}, { title: 'User', additionalProperties: false })

export const UserBody = Type.Object({ user: UserSchema })

export const CookieSessionBody = Type.Object({
  user: UserSchema,
  accessTokenExpiresAt: Type.String({ format: 'date-time' })
}, { title: 'CookieSession', description: 'Cookie mode: tokens are in HttpOnly cookies, never in the body' })

export const BearerSessionBody = Type.Object({
  user: UserSchema,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Access token lifetime in seconds' })
}, { title: 'BearerSession', description: 'Bearer mode (X-Auth-Mode: bearer)' })

export const SessionBody = Type.Union([CookieSessionBody, BearerSessionBody])

export type SessionBodyType = Static<typeof SessionBody>
