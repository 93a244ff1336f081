import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON
} from '@simplewebauthn/server'
import { Type } from '@sinclair/typebox'
import { ref } from './common.js'

const B64 = Type.String({ maxLength: 16384, description: 'base64url' })
const Open = { additionalProperties: true }

/** A descriptor of a credential (excludeCredentials, allowCredentials). */
const CredentialDescriptor = Type.Object({
  id: B64,
  type: Type.Literal('public-key'),
  transports: Type.Optional(Type.Array(Type.String()))
}, Open)

/** Typed as SimpleWebAuthn's own type, which the schema describes. */
export const PasskeyCreationOptionsSchema = Type.Unsafe<PublicKeyCredentialCreationOptionsJSON>(Type.Object({
  rp: Type.Object({ id: Type.Optional(Type.String()), name: Type.String() }, Open),
  user: Type.Object({ id: B64, name: Type.String(), displayName: Type.String() }, Open),
  challenge: B64,
  pubKeyCredParams: Type.Array(Type.Object({ alg: Type.Integer(), type: Type.Literal('public-key') }, Open)),
  timeout: Type.Optional(Type.Integer()),
  excludeCredentials: Type.Optional(Type.Array(CredentialDescriptor, { description: "The user's passkeys: an authenticator holding one refuses to make another" })),
  authenticatorSelection: Type.Optional(Type.Object({
    residentKey: Type.Optional(Type.String()),
    requireResidentKey: Type.Optional(Type.Boolean()),
    userVerification: Type.Optional(Type.String()),
    authenticatorAttachment: Type.Optional(Type.String())
  }, Open)),
  attestation: Type.Optional(Type.String()),
  hints: Type.Optional(Type.Array(Type.String())),
  extensions: Type.Optional(Type.Object({}, Open))
}, { $id: 'PasskeyCreationOptions', ...Open, description: "SimpleWebAuthn's PublicKeyCredentialCreationOptionsJSON: pass it to navigator.credentials.create (after PublicKeyCredential.parseCreationOptionsFromJSON)" }))

/** Typed as SimpleWebAuthn's own type, which the schema describes. */
export const PasskeyRequestOptionsSchema = Type.Unsafe<PublicKeyCredentialRequestOptionsJSON>(Type.Object({
  challenge: B64,
  timeout: Type.Optional(Type.Integer()),
  rpId: Type.Optional(Type.String()),
  allowCredentials: Type.Optional(Type.Array(CredentialDescriptor)),
  userVerification: Type.Optional(Type.String()),
  hints: Type.Optional(Type.Array(Type.String())),
  extensions: Type.Optional(Type.Object({}, Open))
}, { $id: 'PasskeyRequestOptions', ...Open, description: "SimpleWebAuthn's PublicKeyCredentialRequestOptionsJSON: pass it to navigator.credentials.get (after PublicKeyCredential.parseRequestOptionsFromJSON)" }))

const ClientExtensionResults = Type.Object({}, Open)

/** Typed as SimpleWebAuthn's own type, which the schema describes. */
export const RegistrationResponseSchema = Type.Unsafe<RegistrationResponseJSON>(Type.Object({
  id: B64,
  rawId: B64,
  type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64,
    attestationObject: B64,
    authenticatorData: Type.Optional(B64),
    transports: Type.Optional(Type.Array(Type.String())),
    publicKeyAlgorithm: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(B64)
  }, Open),
  authenticatorAttachment: Type.Optional(Type.String()),
  clientExtensionResults: ClientExtensionResults
}, { $id: 'RegistrationResponse', ...Open, description: "SimpleWebAuthn's RegistrationResponseJSON: the created credential's toJSON()" }))

/** Typed as SimpleWebAuthn's own type, which the schema describes. */
export const AuthenticationResponseSchema = Type.Unsafe<AuthenticationResponseJSON>(Type.Object({
  id: B64,
  rawId: B64,
  type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64,
    authenticatorData: B64,
    signature: B64,
    userHandle: Type.Optional(B64)
  }, Open),
  authenticatorAttachment: Type.Optional(Type.String()),
  clientExtensionResults: ClientExtensionResults
}, { $id: 'AuthenticationResponse', ...Open, description: "SimpleWebAuthn's AuthenticationResponseJSON: the assertion's toJSON()" }))

const PasskeyName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$', description: 'Shown in the list, e.g. "Work laptop"' })

export const PasskeyRegisterRequestSchema = Type.Object({
  response: ref(RegistrationResponseSchema),
  name: Type.Optional(PasskeyName)
}, { $id: 'PasskeyRegisterRequest', additionalProperties: false })

export const PasskeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  backedUp: Type.Boolean({ description: 'Synced to a cloud account (survives the loss of the device)' })
}, { $id: 'Passkey', additionalProperties: false })

export const PasskeyResponseSchema = Type.Object({ passkey: ref(PasskeySchema) }, { $id: 'PasskeyResponse' })
export const PasskeyListSchema = Type.Object({ passkeys: Type.Array(ref(PasskeySchema)) }, { $id: 'PasskeyList' })

export const PasskeyLoginOptionsSchema = Type.Object({
  challengeId: Type.String({ description: 'Send it back with the assertion' }),
  options: ref(PasskeyRequestOptionsSchema)
}, { $id: 'PasskeyLoginOptions' })

export const PasskeyLoginRequestSchema = Type.Object({
  challengeId: Type.String({ pattern: '^[0-9a-f]{24}$' }),
  response: ref(AuthenticationResponseSchema)
}, { $id: 'PasskeyLoginRequest', additionalProperties: false })

export const PasskeyRenameRequestSchema = Type.Object({ name: PasskeyName }, { $id: 'PasskeyRenameRequest', additionalProperties: false })

export const EmptyRequestSchema = Type.Object({}, { $id: 'EmptyRequest', additionalProperties: false })

export const PasskeyParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$' }) })

export const PASSKEY_SCHEMAS = [
  PasskeyCreationOptionsSchema, PasskeyRequestOptionsSchema, RegistrationResponseSchema, AuthenticationResponseSchema,
  PasskeyRegisterRequestSchema, PasskeySchema, PasskeyResponseSchema, PasskeyListSchema, PasskeyLoginOptionsSchema,
  PasskeyLoginRequestSchema, PasskeyRenameRequestSchema, EmptyRequestSchema
]
