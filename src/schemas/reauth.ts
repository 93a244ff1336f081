import { Type } from '@sinclair/typebox'
import { PASSWORD_MAX_LENGTH } from '../lib/passwords.js'

export const ReauthMethodsSchema = Type.Array(
  Type.Union(['password', 'totp', 'recovery_code', 'passkey', 'provider'].map(m => Type.Literal(m))),
  {
    $id: 'ReauthMethods',
    description: 'How this user can re-authenticate: reauthenticate with `password`, or with `code` (`totp`, `recovery_code`), reauthenticatePasskey (`passkey`), or sign in again with a linked provider (`provider`)'
  }
)

export const ReauthenticateRequestSchema = Type.Object({
  password: Type.Optional(Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, description: 'The current password' })),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A code from the authenticator app, or a recovery code' }))
}, { $id: 'ReauthenticateRequest', additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Exactly one of `password` and `code`' })

export const REAUTH_SCHEMAS = [ReauthMethodsSchema, ReauthenticateRequestSchema]
