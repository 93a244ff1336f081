import type { Types } from 'mongoose'
import { InvalidTokenError, OneTimeTokenInvalidError, SessionRevokedError } from '../errors.js'
import { humanDuration, templates } from '../lib/mail-templates.js'
import type { BackgroundTasks } from '../lib/background.js'
import type { PasswordHasher } from '../lib/passwords.js'
import type { AccessClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import { normalizeEmail, toPublicUser, type ClientMeta, type PublicUser } from './auth-service.js'
import { checkCurrentPassword } from './current-password.js'
import type { EmailClaims } from './email-claims.js'
import type { LoginThrottle } from './login-throttle.js'
import type { OneTimeTokens } from './one-time-tokens.js'
import type { Outbox } from './outbox.js'
import type { UserStore } from './user-store.js'

export interface EmailServiceOptions {
  users: UserStore
  emailClaims: EmailClaims
  tokens: OneTimeTokens
  outbox: Outbox
  passwords: PasswordHasher
  throttle: LoginThrottle
  audit: AuditLog
  appName: string
  /** Every link starts here (PUBLIC_URL), never with the request's Host. */
  publicUrl: string
  resetTtlSeconds: number
  verifyTtlSeconds: number
  /** Normalized addresses whose owner gets `admin` once the address is proven. */
  adminEmails: readonly string[]
  /** Runs the per-address work of a reset request after its answer. */
  background: BackgroundTasks
  /** Every way to sign in but the password (src/services/lifecycle-service.ts). */
  removeSignInMethods: (userId: Types.ObjectId) => Promise<void>
}

/** Password reset, email verification and email change: everything that proves an address by mail. */
export function createEmailService (opts: EmailServiceOptions) {
  const { users, emailClaims, tokens, outbox, passwords, throttle, audit, appName, publicUrl } = opts
  /** The roles once `email` is proven: `admin` added for an ADMIN_EMAILS address, or nothing to change (undefined). */
  const rolesProving = (roles: readonly string[], email: string) =>
    opts.adminEmails.includes(email) && !roles.includes('admin') ? [...roles, 'admin'] : undefined
  /** The admin role an ADMIN_EMAILS address just earned, in the audit log. */
  const auditGrant = (userId: string, roles: string[], meta: ClientMeta) =>
    audit.record('roles.changed', { userId, meta, detail: { from: roles.filter(r => r !== 'admin'), to: roles, via: 'ADMIN_EMAILS' } })
  const invalid = () => new OneTimeTokenInvalidError()
  // The token travels in the fragment: never sent to a server, never in a Referer or access log.
  const link = (page: string, token: string) => `${publicUrl}/${page}#token=${token}`

  async function sendVerification (userId: Types.ObjectId, email: string): Promise<void> {
    if (!(await outbox.allow('verify_email', email))) return
    const token = await tokens.issue('verify_email', userId, email, opts.verifyTtlSeconds)
    await outbox.enqueue(email, templates.verifyEmail(appName, link('verify-email', token), humanDuration(opts.verifyTtlSeconds)))
  }

  return {
    sendVerification,

    /** Resolves once every reset request queued so far has been handled (the app waits for it at close). */
    settled: () => opts.background.drain(),

    /** The verification mail again, unless the address is verified (or was mailed a minute ago). */
    async resendVerification (userId: string): Promise<void> {
      const user = await users.readProfile(userId)
      // A valid token for a deleted account is no longer a valid credential.
      if (!user) throw new InvalidTokenError()
      if (user.emailVerified !== true) await sendVerification(user._id, user.email)
    },

    /**
     * Queues the per-address work and returns at once: the answer comes before any database
     * work, so a known and an unknown address cost the same until then (no timing oracle).
     */
    forgotPassword (input: string, meta: ClientMeta): void {
      const email = normalizeEmail(input)
      opts.background.run(async () => {
        const user = await users.findByEmail(email)
        if (!(await outbox.allow('password_reset', email)) || !user) return
        const token = await tokens.issue('password_reset', user._id, email, opts.resetTtlSeconds, { accountUnverified: user.emailVerified !== true })
        await outbox.enqueue(email, templates.passwordReset(appName, link('reset-password', token), humanDuration(opts.resetTtlSeconds)))
        await audit.record('password.reset_requested', { userId: user._id.toHexString(), meta })
      })
    },

    /**
     * Sets the new password, revokes every session, lifts the login lock and voids every other
     * token of the user. Logs nobody in. The link proves the mailbox: the address is verified
     * (and an ADMIN_EMAILS address gets its role: the mailbox's owner now holds the account).
     * A reset asked for while the address was unverified takes over a clean account: whoever
     * registered the address may have added a passkey, a provider or an authenticator, and
     * those are removed.
     */
    async resetPassword (token: string, newPassword: string, meta: ClientMeta): Promise<void> {
      const used = await tokens.consume(token, ['password_reset'])
      if (!used) throw invalid()
      const passwordHash = await passwords.hash(newPassword)
      const userId = used.userId.toHexString()
      let granted: string[] | undefined
      const user = await users.update(userId, fresh => {
        // The address changed since the mail: the link proves an old one.
        const proven = fresh.email === used.email
        granted = proven ? rolesProving(fresh.roles, used.email) : undefined
        return {
          result: fresh,
          write: { passwordHash, sessions: [], bumpTokenVersion: true, ...(proven && { emailVerified: true }), ...(granted && { roles: granted }) }
        }
      }, { missing: invalid })
      const takeover = used.accountUnverified
      if (takeover) await opts.removeSignInMethods(used.userId)
      await throttle.clear(user.email)
      await tokens.voidAll(used.userId)
      await outbox.enqueue(user.email, takeover ? templates.passwordResetTakeover(appName) : templates.passwordChanged(appName))
      await audit.record('password.reset', { userId, meta, detail: { signInMethodsRemoved: takeover } })
      if (granted) await auditGrant(userId, granted, meta)
    },

    /**
     * Proves the address a verification or email-change token was sent to. `signedInAs`: the
     * user whose live session sent the request, if any. A verification link proves the mailbox,
     * not that its owner holds the account (anyone can register an address), so an
     * ADMIN_EMAILS address gets its role only when opened signed in to that very account. An
     * email change was asked for by the signed-in owner: its link grants it either way.
     */
    async verifyEmail (token: string, meta: ClientMeta, signedInAs?: string): Promise<PublicUser> {
      const used = await tokens.consume(token, ['verify_email', 'email_change'])
      if (!used) throw invalid()
      const userId = used.userId.toHexString()
      let user: PublicUser
      let granted: string[] | undefined
      if (used.purpose === 'verify_email') {
        user = await users.update(userId, fresh => {
          // The address changed since the mail: this token proves an old one.
          if (fresh.email !== used.email) throw invalid()
          granted = signedInAs === userId ? rolesProving(fresh.roles, used.email) : undefined
          return { result: { ...toPublicUser(fresh), emailVerified: true, roles: granted ?? [...fresh.roles] }, write: { emailVerified: true, ...(granted && { roles: granted }) } }
        }, { missing: invalid })
        await audit.record('email.verified', { userId, meta })
      } else {
        // The new address is claimed first, then the old one released: at no moment is the
        // account without an address, or two accounts with one.
        await emailClaims.claim(used.email, used.userId)
        let previous = ''
        try {
          user = await users.update(userId, fresh => {
            previous = fresh.email
            granted = rolesProving(fresh.roles, used.email)
            return {
              result: { ...toPublicUser(fresh), email: used.email, emailVerified: true, roles: granted ?? [...fresh.roles] },
              write: { email: used.email, emailVerified: true, ...(granted && { roles: granted }) }
            }
          }, { missing: invalid })
        } catch (err) {
          await emailClaims.release(used.email, used.userId)
          throw err
        }
        if (previous !== used.email) await emailClaims.release(previous, used.userId)
        await audit.record('email.changed', { userId, meta, detail: { from: previous, to: used.email } })
      }
      if (granted) await auditGrant(userId, granted, meta)
      await tokens.voidAll(used.userId)
      return user
    },

    /**
     * Mails a confirmation link to the new address and a notice to the old one; the change
     * happens when the link is used. The password is checked under the login lock. A taken
     * address gets a mail saying so, and the answer is the same.
     */
    async requestEmailChange (claims: AccessClaims, input: string, password: string, meta: ClientMeta): Promise<void> {
      const user = await users.read(claims.sub)
      if (!user) throw new SessionRevokedError()
      await checkCurrentPassword({ throttle, passwords, audit }, user, password, claims, meta, 'email change')
      const email = normalizeEmail(input)
      if (email === user.email) return
      if (await emailClaims.isTaken(email)) {
        if (await outbox.allow('account_exists', email)) await outbox.enqueue(email, templates.accountExists(appName, `${publicUrl}/`))
        return
      }
      // The same per-address limit as the other mails that carry a link: none can be made to flood an inbox.
      if (!(await outbox.allow('email_change', email))) return
      const token = await tokens.issue('email_change', user._id, email, opts.verifyTtlSeconds)
      await outbox.enqueue(email, templates.emailChange(appName, link('verify-email', token), humanDuration(opts.verifyTtlSeconds)))
      await outbox.enqueue(user.email, templates.emailChangeNotice(appName, email))
      await audit.record('email.change_requested', { userId: claims.sub, sessionId: claims.sid, meta, detail: { to: email } })
    }
  }
}

export type EmailService = ReturnType<typeof createEmailService>
