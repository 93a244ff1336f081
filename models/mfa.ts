import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** A TOTP authenticator. Its secret is stored sealed (AES-256-GCM, src/lib/secret-box.ts). */
export interface MfaFactorFields {
  _id: Types.ObjectId
  userId: Types.ObjectId
  type: 'totp'
  /** Pending until a first code activates it; a pending factor expires. */
  status: 'pending' | 'active'
  secretSealed: string
  /** The last time step accepted, advanced only by a compare-and-swap: no code is accepted twice. */
  lastUsedStep: number
  createdAt: Date
  /** Set while pending: after this the factor cannot be activated. */
  expiresAt: Date | null
  lastUsedAt: Date | null
}

export type MfaFactorModel = Model<MfaFactorFields>

const mfaFactorSchema = new Schema<MfaFactorFields>({
  userId: { type: Schema.Types.ObjectId, required: true },
  type: { type: String, required: true, enum: ['totp'] },
  status: { type: String, required: true, enum: ['pending', 'active'] },
  secretSealed: { type: String, required: true },
  lastUsedStep: { type: Number, default: 0 },
  createdAt: { type: Date, default: () => new Date() },
  expiresAt: { type: Date, default: null },
  lastUsedAt: { type: Date, default: null }
}, { versionKey: false, collection: 'mfa_factors' })
mfaFactorSchema.index({ userId: 1 })

/** One recovery code: only its keyed hash. */
export interface RecoveryCodeFields {
  _id: Types.ObjectId
  userId: Types.ObjectId
  codeHash: string
  usedAt: Date | null
}

export type RecoveryCodeModel = Model<RecoveryCodeFields>

const recoveryCodeSchema = new Schema<RecoveryCodeFields>({
  userId: { type: Schema.Types.ObjectId, required: true },
  codeHash: { type: String, required: true },
  usedAt: { type: Date, default: null }
}, { versionKey: false, collection: 'recovery_codes' })
recoveryCodeSchema.index({ userId: 1, codeHash: 1 })

/** RFC 8176 `amr` values of a first step: a password, a passkey without user verification (`hwk`), or a provider's sign-in (`oauth`, not in the RFC). */
export const FIRST_FACTORS = ['pwd', 'hwk', 'oauth'] as const
export type FirstFactor = typeof FIRST_FACTORS[number]

/** A login waiting for its second factor: the password was right. Its token is stored hashed. */
export interface MfaChallengeFields {
  _id: Types.ObjectId
  tokenHash: string
  userId: Types.ObjectId
  /** How the first step was passed: the session's `amr` starts with it. */
  firstFactor: FirstFactor
  /** The user's tokenVersion when the first step passed: a change of credentials since voids the challenge. */
  tokenVersion: number
  expiresAt: Date
  usedAt: Date | null
  /** Wrong codes presented with this challenge; at the limit it is void. */
  failures: number
}

export type MfaChallengeModel = Model<MfaChallengeFields>

const mfaChallengeSchema = new Schema<MfaChallengeFields>({
  tokenHash: { type: String, required: true },
  userId: { type: Schema.Types.ObjectId, required: true },
  firstFactor: { type: String, enum: FIRST_FACTORS, default: 'pwd' },
  tokenVersion: { type: Number, required: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null },
  failures: { type: Number, default: 0 }
}, { versionKey: false, collection: 'mfa_challenges' })
mfaChallengeSchema.index({ tokenHash: 1 }, { unique: true })
mfaChallengeSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' })

export function bindMfaModels (connection: Connection) {
  return {
    mfaFactors: connection.model<MfaFactorFields>('MfaFactor', mfaFactorSchema),
    recoveryCodes: connection.model<RecoveryCodeFields>('RecoveryCode', recoveryCodeSchema),
    mfaChallenges: connection.model<MfaChallengeFields>('MfaChallenge', mfaChallengeSchema)
  }
}
