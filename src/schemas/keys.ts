import { Type } from '@sinclair/typebox'
import { ref } from './common.js'

export const JwkSchema = Type.Object({
  kty: Type.String(),
  kid: Type.String(),
  alg: Type.String({ description: 'ES256 or EdDSA' }),
  use: Type.Literal('sig'),
  crv: Type.String(),
  x: Type.String(),
  y: Type.Optional(Type.String())
}, { $id: 'Jwk', additionalProperties: false, description: 'A public key (RFC 7517)' })

export const JwksSchema = Type.Object({
  keys: Type.Array(ref(JwkSchema), { description: 'The next, current and previous signing keys' })
}, { $id: 'Jwks', description: 'The JSON Web Key Set that verifies access tokens' })

const Iso = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])

export const SigningKeySchema = Type.Object({
  kid: Type.String(),
  alg: Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA'), Type.Literal('HS256')], { description: 'HS256: ACCESS_TOKEN_SECRET, which has no key material here' }),
  state: Type.Union([Type.Literal('next'), Type.Literal('current'), Type.Literal('previous'), Type.Literal('retired')], {
    description: 'next: published, not signing yet; current: signs; previous: verifies until the retirement horizon; retired: neither'
  }),
  createdAt: Type.String({ format: 'date-time' }),
  activatedAt: Iso,
  deactivatedAt: Iso,
  retiredAt: Iso
}, { $id: 'SigningKey', additionalProperties: false })

export const SigningKeyListSchema = Type.Object({ keys: Type.Array(ref(SigningKeySchema)) }, { $id: 'SigningKeyList' })

export const KEY_SCHEMAS = [JwkSchema, JwksSchema, SigningKeySchema, SigningKeyListSchema]
