import { Type } from '@sinclair/typebox'
import { ref } from './common.js'

const Code = Type.String({ minLength: 1, maxLength: 64, description: 'A 6-digit code from the authenticator app, or a recovery code' })

export const MfaChallengeSchema = Type.Object({
  token: Type.String({ description: 'Send it to verifyMfa with a code, within expiresAt' }),
  methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('recovery_code')])),
  expiresAt: Type.String({ format: 'date-time' })
}, { $id: 'MfaChallenge', description: 'The second step of a login (in the AUTH_MFA_REQUIRED error body)' })

export const TotpEnrolmentSchema = Type.Object({
  factorId: Type.String(),
  secret: Type.String({ description: 'Base32, for manual entry; shown this once' }),
  otpauthUri: Type.String({ description: 'The otpauth:// URI an authenticator app scans' }),
  qrCode: Type.String({ description: 'That URI as a QR code: a PNG data: URL, ready for an <img>' })
}, { $id: 'TotpEnrolment', description: 'A pending authenticator: activate it with a first code within 10 minutes' })

export const MfaCodeRequestSchema = Type.Object({ code: Code }, { $id: 'MfaCodeRequest', additionalProperties: false })

export const MfaVerifyRequestSchema = Type.Object({
  mfaToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The `mfa.token` of the AUTH_MFA_REQUIRED answer; omitted after a provider sign-in, whose challenge is in a cookie' })),
  code: Code
}, { $id: 'MfaVerifyRequest', additionalProperties: false })

export const RecoveryCodesSchema = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Shown this once; each works once, in place of an authenticator code' })
}, { $id: 'RecoveryCodes' })

export const MfaFactorSchema = Type.Object({
  id: Type.String(),
  type: Type.Literal('totp'),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
}, { $id: 'MfaFactor' })

export const MfaStatusSchema = Type.Object({
  factors: Type.Array(ref(MfaFactorSchema), { description: 'Active authenticators' }),
  recoveryCodesLeft: Type.Integer()
}, { $id: 'MfaStatus' })

export const FactorParams = Type.Object({ factorId: Type.String({ pattern: '^[0-9a-f]{24}$' }) })
