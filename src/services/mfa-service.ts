import { randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import QRCode from 'qrcode'
import type { FirstFactor, MfaChallengeModel, MfaFactorFields, MfaFactorModel, RecoveryCodeModel } from '../../models/mfa.js'
import {
  MfaAlreadyEnabledError, MfaChallengeInvalidError, MfaCodeInvalidError, MfaFactorNotFoundError, MfaNotEnabledError,
  SessionRevokedError, UserNotFoundError, type MfaChallengeBody
} from '../errors.js'
import { templates } from '../lib/mail-templates.js'
import { hashRecoveryCode, newRecoveryCodes } from '../lib/recovery-codes.js'
import type { SecretBox } from '../lib/secret-box.js'
import { hashToken, type AccessClaims } from '../lib/tokens.js'
import { acceptedTotpStep, newTotpSecret, totpUri } from '../lib/totp.js'
import type { AuditLog } from './audit-log.js'
import type { ClientMeta } from './auth-service.js'
import type { LoginThrottle } from './login-throttle.js'
import type { Outbox } from './outbox.js'
import type { UserStore } from './user-store.js'

/** A pending authenticator can be activated for this long. */
const PENDING_FACTOR_MS = 10 * 60_000
/** A login waiting for its second factor stays open this long, for at most this many wrong codes. */
const CHALLENGE_MS = 5 * 60_000
const CHALLENGE_MAX_FAILURES = 5

export interface MfaServiceOptions {
  factors: MfaFactorModel
  recoveryCodes: RecoveryCodeModel
  challenges: MfaChallengeModel
  users: UserStore
  /** The lock for wrong second-factor codes: its own records, not the password lock's. */
  throttle: LoginThrottle
  audit: AuditLog
  outbox: Outbox
  /** Seals TOTP secrets (AES-256-GCM under a key derived from ENCRYPTION_KEY). */
  box: SecretBox
  /** Keys the recovery codes' hashes. */
  recoveryKey: Buffer
  appName: string
  now?: () => Date
}

export interface FactorView {
  id: string
  type: 'totp'
  createdAt: string
  lastUsedAt: string | null
}

/** TOTP authenticators, recovery codes, and the second step of a login. */
export function createMfaService (opts: MfaServiceOptions) {
  const { factors, recoveryCodes, challenges, users, throttle, audit, outbox, box } = opts
  const now = opts.now ?? (() => new Date())
  // Ids reach here validated by the routes' schemas (24 hex digits) or from a verified token.
  const objectId = (id: string) => new Types.ObjectId(id)

  const activeFactor = (userId: Types.ObjectId) => factors.findOne({ userId, status: 'active' }).lean()

  /** A TOTP code for `factor`: its time step is recorded by a compare-and-swap, so no code passes twice. */
  async function useTotp (factor: MfaFactorFields, code: string): Promise<boolean> {
    const secret = box.open(factor.secretSealed, factor.userId.toHexString())
    const step = await acceptedTotpStep({ secret, code, afterStep: factor.lastUsedStep, now: now() })
    if (step === null) return false
    const won = await factors.updateOne({ _id: factor._id, lastUsedStep: { $lt: step } }, { $set: { lastUsedStep: step, lastUsedAt: now() } })
    return won.matchedCount === 1
  }

  /** An unused recovery code of the user's, consumed by a compare-and-swap. */
  async function useRecoveryCode (userId: Types.ObjectId, code: string): Promise<boolean> {
    const used = await recoveryCodes.updateOne({ userId, codeHash: hashRecoveryCode(opts.recoveryKey, code), usedAt: null }, { $set: { usedAt: now() } })
    return used.matchedCount === 1
  }

  /** A code of the user's active factor, or a recovery code, under the second-factor lock. */
  function checkCode (userId: Types.ObjectId, code: string, meta: ClientMeta): Promise<'totp' | 'recovery_code'> {
    const event = { userId: userId.toHexString(), meta }
    return throttle.checkPassword(userId.toHexString(), async () => {
      const factor = await activeFactor(userId)
      if (factor && await useTotp(factor, code)) return 'totp' as const
      if (await useRecoveryCode(userId, code)) return 'recovery_code' as const
      return false
    }, {
      locked: () => audit.record('mfa.locked', event),
      failed: () => audit.record('mfa.failure', event),
      wrong: () => new MfaCodeInvalidError()
    })
  }

  /** A new set of recovery codes; the old set is void. Returns the codes, shown this once. */
  async function replaceRecoveryCodes (userId: Types.ObjectId): Promise<string[]> {
    const codes = newRecoveryCodes()
    await recoveryCodes.deleteMany({ userId })
    await recoveryCodes.insertMany(codes.map(code => ({ userId, codeHash: hashRecoveryCode(opts.recoveryKey, code) })))
    return codes
  }

  async function notify (userId: Types.ObjectId, content: (app: string) => ReturnType<typeof templates.passwordChanged>): Promise<void> {
    const user = await users.readProfile(userId.toHexString())
    // A user deleted meanwhile has nobody to tell.
    if (user) await outbox.enqueue(user.email, content(opts.appName))
  }

  /** A recovery code was spent: audited, and the user told (a code they did not use is a warning). */
  async function recoveryCodeUsed (userId: Types.ObjectId, meta: ClientMeta): Promise<void> {
    await audit.record('mfa.recovery_code_used', { userId: userId.toHexString(), meta })
    await notify(userId, templates.recoveryCodeUsed)
  }

  async function profileOf (claims: AccessClaims) {
    const user = await users.readProfile(claims.sub)
    if (!user) throw new SessionRevokedError()
    return user
  }

  return {
    /** Whether a login of this user needs a second factor. */
    async isEnabled (userId: Types.ObjectId): Promise<boolean> {
      return (await factors.exists({ userId, status: 'active' })) !== null
    },

    /** A new TOTP authenticator, pending until a first code activates it. */
    async enrol (claims: AccessClaims): Promise<{ factorId: string, secret: string, otpauthUri: string, qrCode: string }> {
      const user = await profileOf(claims)
      if (await activeFactor(user._id)) throw new MfaAlreadyEnabledError()
      await factors.deleteMany({ userId: user._id, status: 'pending' })
      const secret = newTotpSecret()
      const factor = await factors.create({
        userId: user._id,
        type: 'totp',
        status: 'pending',
        secretSealed: box.seal(secret, user._id.toHexString()),
        expiresAt: new Date(now().getTime() + PENDING_FACTOR_MS)
      })
      const otpauthUri = totpUri({ secret, issuer: opts.appName, account: user.email })
      // A data: URL, which the strict CSP allows in <img>: no client needs a QR library.
      const qrCode = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 240 })
      return { factorId: factor._id.toHexString(), secret, otpauthUri, qrCode }
    },

    /**
     * Activates a pending authenticator with a first code, which is then spent (it cannot also
     * finish a login). The calling session becomes two-factor; every other session is revoked.
     */
    async activate (claims: AccessClaims, factorId: string, code: string, meta: ClientMeta): Promise<string[]> {
      const user = await profileOf(claims)
      const factor = await factors.findOne({ _id: objectId(factorId), userId: user._id, status: 'pending', expiresAt: { $gt: now() } }).lean()
      if (!factor) throw new MfaFactorNotFoundError()
      await throttle.checkPassword(claims.sub, async () => await useTotp(factor, code), {
        locked: () => audit.record('mfa.locked', { userId: claims.sub, meta }),
        failed: () => audit.record('mfa.failure', { userId: claims.sub, meta }),
        wrong: () => new MfaCodeInvalidError()
      })
      const activated = await factors.updateOne({ _id: factor._id, status: 'pending' }, { $set: { status: 'active', expiresAt: null } })
      if (activated.matchedCount !== 1) throw new MfaAlreadyEnabledError()
      const codes = await replaceRecoveryCodes(user._id)
      await users.update(claims.sub, (_user, sessions) => {
        const current = sessions.find(s => s.id === claims.sid)
        if (!current) throw new SessionRevokedError()
        return { result: undefined, write: { sessions: [{ ...current, amr: ['pwd', 'otp'], aal: 'aal2' }] } }
      }, { missing: () => new SessionRevokedError() })
      await audit.record('mfa.enabled', { userId: claims.sub, sessionId: claims.sid, meta })
      await outbox.enqueue(user.email, templates.mfaEnabled(opts.appName))
      return codes
    },

    async status (userId: string): Promise<{ factors: FactorView[], recoveryCodesLeft: number }> {
      const id = objectId(userId)
      const [active, left] = await Promise.all([
        factors.find({ userId: id, status: 'active' }).lean(),
        recoveryCodes.countDocuments({ userId: id, usedAt: null })
      ])
      return {
        factors: active.map(f => ({ id: f._id.toHexString(), type: f.type, createdAt: f.createdAt.toISOString(), lastUsedAt: f.lastUsedAt?.toISOString() ?? null })),
        recoveryCodesLeft: left
      }
    },

    /** Removes the authenticator and the recovery codes, on a current code (TOTP or recovery). */
    async disable (claims: AccessClaims, factorId: string, code: string, meta: ClientMeta): Promise<void> {
      const user = await profileOf(claims)
      const _id = objectId(factorId)
      if (!(await factors.exists({ _id, userId: user._id, status: 'active' }))) throw new MfaFactorNotFoundError()
      await checkCode(user._id, code, meta)
      await factors.deleteOne({ _id })
      await recoveryCodes.deleteMany({ userId: user._id })
      await audit.record('mfa.disabled', { userId: claims.sub, sessionId: claims.sid, meta })
      await outbox.enqueue(user.email, templates.mfaDisabled(opts.appName))
    },

    /** A new set of recovery codes, on a current code; the old set is void. */
    async regenerateRecoveryCodes (claims: AccessClaims, code: string, meta: ClientMeta): Promise<string[]> {
      const user = await profileOf(claims)
      if (!(await activeFactor(user._id))) throw new MfaNotEnabledError()
      await checkCode(user._id, code, meta)
      const codes = await replaceRecoveryCodes(user._id)
      await audit.record('mfa.recovery_codes_replaced', { userId: claims.sub, sessionId: claims.sid, meta })
      return codes
    },

    /**
     * A current code of the user's (authenticator or recovery), under the second-factor lock:
     * a re-authentication of a signed-in user. A recovery code is spent, and the user told.
     */
    async verifyCode (userId: string, code: string, meta: ClientMeta): Promise<'totp' | 'recovery_code'> {
      const id = objectId(userId)
      if (!(await activeFactor(id))) throw new MfaNotEnabledError()
      const method = await checkCode(id, code, meta)
      if (method === 'recovery_code') await recoveryCodeUsed(id, meta)
      return method
    },

    /** Support's way back in for a user who lost their authenticator and their codes. */
    async reset (userId: string, actorId: string, meta: ClientMeta): Promise<void> {
      const id = objectId(userId)
      if (!(await users.exists(id))) throw new UserNotFoundError()
      await factors.deleteMany({ userId: id })
      await recoveryCodes.deleteMany({ userId: id })
      await audit.record('mfa.reset', { userId, actorId, meta })
      await notify(id, templates.mfaDisabled)
    },

    /**
     * Opens the second step of a login whose first step (`firstFactor`) passed on the user's
     * credentials at `tokenVersion`.
     */
    async startChallenge (user: { _id: Types.ObjectId, tokenVersion: number }, firstFactor: FirstFactor = 'pwd'): Promise<MfaChallengeBody> {
      const token = randomBytes(32).toString('base64url')
      const expiresAt = new Date(now().getTime() + CHALLENGE_MS)
      await challenges.create({ tokenHash: hashToken(token), userId: user._id, firstFactor, tokenVersion: user.tokenVersion, expiresAt })
      return { token, methods: ['totp', 'recovery_code'], expiresAt: expiresAt.toISOString() }
    },

    /**
     * Passes the challenge with a code: the user it was opened for, how, and the credentials'
     * version the first step passed on. A wrong code counts against the challenge (void after
     * five) and against the account's second-factor lock. A change of credentials since the
     * first step (a reset, a password change, "log out everywhere", disabling) voids it.
     */
    async passChallenge (token: string, code: string, meta: ClientMeta): Promise<{ userId: string, firstFactor: FirstFactor, method: 'totp' | 'recovery_code', tokenVersion: number }> {
      const challenge = await challenges.findOne({
        tokenHash: hashToken(token), usedAt: null, expiresAt: { $gt: now() }, failures: { $lt: CHALLENGE_MAX_FAILURES }
      }).lean()
      if (!challenge) throw new MfaChallengeInvalidError()
      const state = await users.readSessionState(challenge.userId.toHexString())
      if (state?.tokenVersion !== challenge.tokenVersion) {
        await challenges.updateOne({ _id: challenge._id }, { $set: { usedAt: now() } })
        throw new MfaChallengeInvalidError()
      }
      let method: 'totp' | 'recovery_code'
      try {
        method = await checkCode(challenge.userId, code, meta)
      } catch (err) {
        if (err instanceof MfaCodeInvalidError) await challenges.updateOne({ _id: challenge._id }, { $inc: { failures: 1 } })
        throw err
      }
      // One session per challenge, whatever races.
      const won = await challenges.updateOne({ _id: challenge._id, usedAt: null }, { $set: { usedAt: now() } })
      if (won.matchedCount !== 1) throw new MfaChallengeInvalidError()
      if (method === 'recovery_code') await recoveryCodeUsed(challenge.userId, meta)
      return { userId: challenge.userId.toHexString(), firstFactor: challenge.firstFactor, method, tokenVersion: challenge.tokenVersion }
    }
  }
}

export type MfaService = ReturnType<typeof createMfaService>
