import { createHmac } from 'node:crypto'
import type { Static } from '@sinclair/typebox'
import type { Types } from 'mongoose'
import type { AuditEventModel } from '../../models/audit-event.js'
import type { IdentityModel, OidcTransactionModel } from '../../models/identity.js'
import type { LoginAttemptModel } from '../../models/login-attempt.js'
import type { MfaChallengeModel, MfaFactorModel, RecoveryCodeModel } from '../../models/mfa.js'
import type { OneTimeTokenModel } from '../../models/one-time-token.js'
import type { PasskeyModel, WebAuthnChallengeModel } from '../../models/passkey.js'
import { emailKey } from '../../models/email-claim.js'
import {
  SessionRevokedError, StepUpRequiredError, UserNotFoundError
} from '../errors.js'
import { templates } from '../lib/mail-templates.js'
import type { AccountExportSchema } from '../schemas/account.js'
import type { PasswordHasher } from '../lib/passwords.js'
import type { AccessClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import { toPublicUser, type ClientMeta, type PublicUser } from './auth-service.js'
import { checkCurrentPassword } from './current-password.js'
import type { EmailClaims } from './email-claims.js'
import type { LoginThrottle } from './login-throttle.js'
import type { Outbox } from './outbox.js'
import type { AdminUserView, Roles } from './roles.js'
import type { StoredUser, UserStore } from './user-store.js'

/** The records that belong to a user, by collection: what a deletion removes. */
export interface OwnedRecords {
  mfaFactors: MfaFactorModel
  recoveryCodes: RecoveryCodeModel
  mfaChallenges: MfaChallengeModel
  passkeys: PasskeyModel
  webauthnChallenges: WebAuthnChallengeModel
  identities: IdentityModel
  oidcTransactions: OidcTransactionModel
  oneTimeTokens: OneTimeTokenModel
  attempts: LoginAttemptModel
  auditEvents: AuditEventModel
}

/** What a user's data export holds besides the profile: each part as its own API shows it. */
export interface ExportSources {
  sessions: (userId: string, currentSid: string) => Promise<AccountExport['sessions']>
  identities: (userId: string) => Promise<AccountExport['identities']>
  passkeys: (userId: string) => Promise<AccountExport['passkeys']>
  mfa: (userId: string) => Promise<AccountExport['mfa']>
  /** Every audit event of the user still kept, newest first. */
  auditEvents: (userId: string) => Promise<AccountExport['auditEvents']>
}

export type AccountExport = Static<typeof AccountExportSchema>

export interface LifecycleOptions {
  users: UserStore
  roles: Roles
  records: OwnedRecords
  emailClaims: EmailClaims
  passwords: PasswordHasher
  throttle: LoginThrottle
  audit: AuditLog
  outbox: Outbox
  /** Keys the hash that replaces a deleted user's email in the audit log. */
  auditEmailKey: Buffer
  isMfaEnabled: (userId: Types.ObjectId) => Promise<boolean>
  /** AUTH_STEP_UP_REQUIRED unless the session authenticated recently (src/services/reauthentication.ts). */
  assertRecentAuth: (claims: AccessClaims) => Promise<void>
  exportSources: ExportSources
  appName: string
}

const EMAIL_FIELDS = ['email', 'from', 'to'] as const

/** The records that are ways to sign in besides the password, and their pending starts. */
export type SignInMethodRecords = Pick<OwnedRecords, 'mfaFactors' | 'recoveryCodes' | 'mfaChallenges' | 'passkeys' | 'webauthnChallenges' | 'identities' | 'oidcTransactions'>

/**
 * Removes every way to sign in to the user's account but the password: authenticators and
 * recovery codes, passkeys, linked providers, and whatever is pending for them.
 */
export function signInMethodRemover (records: SignInMethodRecords) {
  return async (userId: Types.ObjectId): Promise<void> => {
    await Promise.all([
      records.mfaFactors.deleteMany({ userId }),
      records.recoveryCodes.deleteMany({ userId }),
      records.mfaChallenges.deleteMany({ userId }),
      records.passkeys.deleteMany({ userId }),
      records.webauthnChallenges.deleteMany({ userId }),
      records.identities.deleteMany({ userId }),
      records.oidcTransactions.deleteMany({ linkUserId: userId })
    ])
  }
}

/**
 * Accounts from creation to deletion: the admin's disable, enable and delete, the user's own
 * deletion and data export. Some active admin always remains (src/services/roles.ts).
 */
export function createLifecycleService (opts: LifecycleOptions) {
  const { users, records, audit, roles } = opts
  const removeSignInMethods = signInMethodRemover(records)
  const notFound = () => new UserNotFoundError()
  async function readOrThrow (userId: string, missing: () => Error = notFound): Promise<StoredUser> {
    const user = await users.read(userId)
    if (!user) throw missing()
    return user
  }

  /** No session survives, no sign-in or refresh succeeds, sensitive routes refuse old tokens. */
  async function disable (user: StoredUser): Promise<void> {
    await roles.keepingAnAdmin(user,
      () => users.update(user._id.toHexString(), fresh => ({
        result: undefined,
        write: { disabledAt: fresh.disabledAt ?? new Date(), sessions: [], bumpTokenVersion: true }
      }), { missing: notFound, hint: user }),
      () => users.restore(user._id, { enabled: true }))
  }

  /** A keyed hash of an address: the same address gives the same value, which reveals nothing without the key. */
  const pseudonym = (email: string) => `hmac-sha256:${createHmac('sha256', opts.auditEmailKey).update(email).digest('base64url')}`

  /**
   * Replaces the user's addresses in the audit log by their pseudonyms: the events stay (the
   * security record), the person is no longer named in them.
   */
  async function pseudonymizeAudit (userId: Types.ObjectId, email: string): Promise<void> {
    const own = await records.auditEvents.find({ userId }, { detail: 1 }).lean()
    const addresses = new Set([email])
    for (const { detail } of own) {
      for (const field of EMAIL_FIELDS) {
        const value = detail?.[field]
        if (typeof value === 'string' && value.includes('@')) addresses.add(value)
      }
    }
    for (const address of addresses) {
      for (const field of EMAIL_FIELDS) {
        // Failures on this address before it was an account's (or by someone else) carry no userId.
        const scope = field === 'email' ? {} : { userId }
        await records.auditEvents.updateMany({ ...scope, [`detail.${field}`]: address }, { $set: { [`detail.${field}`]: pseudonym(address) } })
      }
    }
  }

  /**
   * Deletes the user and everything that belongs to them, then releases the address. The
   * account is disabled first, so no session starts while its records go.
   */
  async function purge (user: StoredUser, meta: ClientMeta, actorId: string | null): Promise<void> {
    await disable(user)
    const userId = user._id
    const removed = await users.remove(userId)
    const email = removed?.email ?? user.email
    const pendingAddresses = (await records.oneTimeTokens.find({ userId }, { email: 1 }).lean()).map(t => t.email)
    await Promise.all([
      removeSignInMethods(userId),
      records.oneTimeTokens.deleteMany({ userId }),
      opts.outbox.forget([...new Set([email, ...pendingAddresses])]),
      records.attempts.deleteMany({ _id: { $in: [emailKey(email), emailKey(`mfa:${userId.toHexString()}`)] } })
    ])
    await opts.emailClaims.release(email, userId)
    await pseudonymizeAudit(userId, email)
    await audit.record('account.deleted', { userId: userId.toHexString(), actorId, meta, detail: { email: pseudonym(email) } })
  }

  return {
    /** A page of users, oldest first; `prefix`: only those whose email starts with it. */
    async listUsers (page: number, limit: number, prefix?: string): Promise<{ users: AdminUserView[], total: number }> {
      const [profiles, total] = await Promise.all([users.listProfiles((page - 1) * limit, limit, prefix), users.count(prefix)])
      return { users: profiles.map(p => ({ ...toPublicUser(p), disabled: Boolean(p.disabledAt) })), total }
    },

    async disable (userId: string, meta: ClientMeta, actorId: string): Promise<void> {
      await disable(await readOrThrow(userId))
      await audit.record('account.disabled', { userId, actorId, meta })
    },

    async enable (userId: string, meta: ClientMeta, actorId: string): Promise<void> {
      await users.update(userId, () => ({ result: undefined, write: { disabledAt: null } }), { missing: notFound })
      await audit.record('account.enabled', { userId, actorId, meta })
    },

    /** An admin deletes an account (not the last active admin). */
    async remove (userId: string, meta: ClientMeta, actorId: string): Promise<void> {
      await purge(await readOrThrow(userId), meta, actorId)
    },

    /**
     * The user deletes their own account, as a recently authenticated session (the current
     * password, if the account has one and it is given, counts as that authentication); with a
     * second factor, the session must be aal2. Resolves once the notice to the old address is
     * queued.
     */
    async deleteOwn (claims: AccessClaims, password: string | undefined, meta: ClientMeta): Promise<void> {
      const user = await readOrThrow(claims.sub, () => new SessionRevokedError())
      if (await opts.isMfaEnabled(user._id) && claims.aal !== 'aal2') throw new StepUpRequiredError(['totp', 'recovery_code'])
      if (password !== undefined && user.passwordHash !== null) {
        await checkCurrentPassword(opts, user, password, claims, meta, 'account deletion')
      } else {
        await opts.assertRecentAuth(claims)
      }
      await purge(user, meta, null)
      await opts.outbox.enqueue(user.email, templates.accountDeleted(opts.appName))
    },

    /** Whatever the server holds about the user, minus every secret and every hash of one. */
    async exportData (claims: AccessClaims, meta: ClientMeta): Promise<AccountExport> {
      const user = await readOrThrow(claims.sub, () => new SessionRevokedError())
      const { exportSources: from } = opts
      const [sessions, identities, passkeys, mfa, auditEvents] = await Promise.all([
        from.sessions(claims.sub, claims.sid), from.identities(claims.sub), from.passkeys(claims.sub), from.mfa(claims.sub), from.auditEvents(claims.sub)
      ])
      await audit.record('account.exported', { userId: claims.sub, sessionId: claims.sid, meta })
      return {
        exportedAt: new Date().toISOString(),
        user: { ...toPublicUser(user), updatedAt: user.updatedAt.toISOString() },
        sessions,
        identities,
        passkeys,
        mfa,
        auditEvents
      }
    },

    /** Sets the display name. */
    async rename (claims: AccessClaims, name: string, meta: ClientMeta): Promise<PublicUser> {
      const user = await users.update(claims.sub, fresh => ({ result: { ...toPublicUser(fresh), name }, write: { name } }), { missing: () => new SessionRevokedError() })
      await audit.record('profile.updated', { userId: claims.sub, sessionId: claims.sid, meta })
      return user
    }
  }
}

export type LifecycleService = ReturnType<typeof createLifecycleService>
