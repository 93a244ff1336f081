import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose'
import type { SessionRecord } from '../src/lib/sessions.js'
import type { TokenSigner } from '../src/lib/tokens.js'

export interface UserFields {
  email: string
  /** Set when the owner proved the address (a verification link); cleared by nothing but an email change, which proves the new one. */
  emailVerified: boolean
  name: string
  /** argon2id; null for an account that signs in through a provider only (it sets one by a reset). */
  passwordHash: string | null
  roles: string[]
  /** Set while an admin has disabled the account: no sign-in, no refresh. */
  disabledAt: Date | null
  /** Bumped by "log out everywhere" and password changes. */
  tokenVersion: number
  /** Compare-and-swap counter: every write to `sessions` is conditional on it and increments it. */
  rev: number
  /** Refresh state, one entry per login/device. Hashes only, never tokens. */
  sessions: SessionRecord[]
  createdAt: Date
  updatedAt: Date
}

type TokenSession = Pick<SessionRecord, 'id' | 'gen' | 'rotatedAt' | 'expiresAt'> & Partial<Pick<SessionRecord, 'amr' | 'aal' | 'authTime' | 'createdAt'>>

export interface UserMethods {
  /** Access JWT for one session; its `iat` is the session's last rotation, so a re-issue carries the same claims. */
  generateAccessToken (session: TokenSession): string
  /** The refresh JWT of the session's current generation; it expires with the session. */
  generateRefreshToken (session: TokenSession): string
}

export type UserModel = Model<UserFields, object, UserMethods>
export type UserDocument = HydratedDocument<UserFields, UserMethods>

const sessionSchema = new Schema<SessionRecord>({
  id: { type: String, required: true },
  gen: { type: Number, required: true },
  tokenHash: { type: String, required: true },
  prevHash: { type: String, default: null },
  rotatedAt: { type: Date, required: true },
  createdAt: { type: Date, required: true },
  lastUsedAt: { type: Date, required: true },
  expiresAt: { type: Date, required: true },
  userAgent: { type: String, default: '' },
  ip: { type: String, default: '' },
  amr: { type: [String], default: ['pwd'] },
  aal: { type: String, enum: ['aal1', 'aal2'], default: 'aal1' },
  authTime: { type: Date },
  authSpent: { type: Boolean }
}, { _id: false })

export function createUserSchema (tokens: TokenSigner) {
  const schema = new Schema<UserFields, UserModel, UserMethods>({
    // unique is enforced by real MongoDB; the embedded server ignores it, so registration
    // also claims the email in `email_claims` (see models/email-claim.ts).
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    emailVerified: { type: Boolean, default: false },
    name: { type: String, default: '' },
    passwordHash: { type: String, default: null },
    roles: { type: [String], default: ['user'] },
    disabledAt: { type: Date, default: null },
    tokenVersion: { type: Number, default: 0 },
    rev: { type: Number, default: 0 },
    sessions: { type: [sessionSchema], default: [] }
  }, { timestamps: true, strict: 'throw' })

  schema.method('generateAccessToken', function (this: UserDocument, session: TokenSession) {
    // Sessions written before MFA existed carry no amr/aal: a password login, aal1.
    return tokens.accessToken({
      sub: this.id,
      sid: session.id,
      roles: [...this.roles],
      ver: this.tokenVersion,
      amr: session.amr ?? ['pwd'],
      aal: session.aal ?? 'aal1',
      authTime: session.authTime ?? session.createdAt ?? session.rotatedAt,
      issuedAt: session.rotatedAt
    })
  })
  schema.method('generateRefreshToken', function (this: UserDocument, session: TokenSession) {
    return tokens.refreshToken({ sub: this.id, sid: session.id, gen: session.gen, issuedAt: session.rotatedAt, expiresAt: session.expiresAt })
  })
  return schema
}

export function bindUserModel (connection: Connection, tokens: TokenSigner): UserModel {
  return connection.model<UserFields, UserModel>('User', createUserSchema(tokens))
}
