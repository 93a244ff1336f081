import {
  SessionNotFoundError, SessionRevokedError, TokenExpiredError, UserNotFoundError, WrongPasswordError
} from '../errors.js'
import type { PasswordHasher } from '../lib/passwords.js'
import { liveSessions, withoutSession } from '../lib/sessions.js'
import { describeUserAgent, type DeviceDescription } from '../lib/user-agent.js'
import type { AccessClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import type { LoginThrottle } from './login-throttle.js'
import { toPublicUser, type ClientMeta, type PublicUser } from './auth-service.js'
import { checkCurrentPassword } from './current-password.js'
import type { OneTimeTokens } from './one-time-tokens.js'
import type { UserStore } from './user-store.js'

export interface SessionView extends DeviceDescription {
  id: string
  createdAt: string
  lastUsedAt: string
  userAgent: string
  ip: string
  current: boolean
}

/** What a signed-in user (and an admin) can do to accounts and sessions. */
export function createAccountService ({ users: store, passwords, audit, throttle, tokens }: { users: UserStore, passwords: PasswordHasher, audit: AuditLog, throttle: LoginThrottle, tokens: OneTimeTokens }) {
  const revoked = () => new SessionRevokedError()
  const notFound = () => new UserNotFoundError()

  return {
    async getUser (id: string): Promise<PublicUser | null> {
      const user = await store.readProfile(id)
      return user ? toPublicUser(user) : null
    },

    /**
     * The database check for sensitive routes: the session must still exist and the token must
     * predate no "log out everywhere" or password change. A live session with an outdated token
     * version gets AUTH_TOKEN_EXPIRED: a refresh fixes it.
     */
    async verifySession (claims: AccessClaims): Promise<void> {
      const user = await store.readSessionState(claims.sub)
      const now = new Date()
      if (!user || !liveSessions(user.sessions, now).some(s => s.id === claims.sid)) throw new SessionRevokedError()
      if (user.tokenVersion !== claims.ver) throw new TokenExpiredError()
    },

    async listSessions (userId: string, currentSid: string): Promise<SessionView[]> {
      const user = await store.readSessionState(userId)
      if (!user) throw new SessionRevokedError()
      const now = new Date()
      return liveSessions(user.sessions, now).map(s => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        userAgent: s.userAgent,
        ...describeUserAgent(s.userAgent),
        ip: s.ip,
        current: s.id === currentSid
      }))
    },

    /** 404 for an id that is not one of this user's sessions, whoever's it is. */
    async revokeSession (userId: string, sid: string, meta: ClientMeta): Promise<void> {
      await store.update(userId, (_user, sessions) => {
        const rest = withoutSession(sessions, sid)
        if (!rest) throw new SessionNotFoundError()
        return { result: undefined, write: { sessions: rest } }
      }, { missing: revoked })
      await audit.record('session.revoked', { userId, sessionId: sid, meta, detail: { reason: 'user' } })
    },

    /** Every session dies, and every access token fails sensitive routes from now on. */
    async revokeAllSessions (userId: string, meta: ClientMeta, actorId?: string): Promise<void> {
      await store.update(userId, () => ({ result: undefined, write: { sessions: [], bumpTokenVersion: true } }), { missing: notFound })
      await audit.record('sessions.revoked_all', { userId, actorId, meta })
    },

    /**
     * Keeps only the current session; the others and all older access tokens are revoked. The
     * current password is checked under the login's per-account lock and counts toward it, so a
     * stolen session cannot guess the password faster than a login could.
     */
    async changePassword (claims: AccessClaims, currentPassword: string, newPassword: string, meta: ClientMeta): Promise<void> {
      const user = await store.read(claims.sub)
      if (!user) throw new SessionRevokedError()
      await checkCurrentPassword({ throttle, passwords, audit }, user, currentPassword, claims, meta, 'password change')
      const passwordHash = await passwords.hash(newPassword)
      // Written on the read the password was checked against, if nobody wrote since (one read in
      // all); otherwise decided again on a fresh read.
      await store.update(claims.sub, (fresh, sessions) => {
        // A concurrent change won: do not overwrite a password this request did not verify.
        if (fresh.passwordHash !== user.passwordHash) throw new WrongPasswordError()
        return {
          result: undefined,
          write: { passwordHash, sessions: sessions.filter(s => s.id === claims.sid), bumpTokenVersion: true }
        }
      }, { missing: revoked, hint: user })
      // A reset link mailed before the change must not undo it.
      await tokens.voidAll(user._id)
      await audit.record('password.changed', { userId: claims.sub, sessionId: claims.sid, meta })
    }
  }
}

export type AccountService = ReturnType<typeof createAccountService>
