import { Types } from 'mongoose'
import type { FirstFactor } from '../../models/mfa.js'
import type { UserDocument } from '../../models/user.js'
import {
  AccountDisabledError, EmailNotVerifiedError, EmailTakenError, MfaChallengeInvalidError, MfaRequiredError, InvalidCredentialsError, InvalidRefreshTokenError, RefreshConflictError, RefreshReusedError,
  SessionRevokedError
} from '../errors.js'
import type { PasswordHasher } from '../lib/passwords.js'
import { decideRefresh, reauthenticate, rotate, upsertSession, type SessionRecord } from '../lib/sessions.js'
import { accessExpiry, hasCanonicalSignature, hashToken, isRefreshClaims, newSessionId, type AccessClaims, type RefreshClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import type { EmailClaims } from './email-claims.js'
import type { MfaService } from './mfa-service.js'
import type { LoginThrottle } from './login-throttle.js'
import type { StepFn, StoredUser, UserProfile, UserStore } from './user-store.js'

export interface PublicUser {
  id: string
  email: string
  emailVerified: boolean
  name: string
  roles: string[]
  createdAt: string
  hasPassword: boolean
}

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  accessTokenExpiresAt: Date
  refreshTokenExpiresAt: Date
}

export interface AuthResult {
  user: PublicUser
  sessionId: string
  tokens: IssuedTokens
}

export interface ClientMeta {
  userAgent: string
  ip: string
}

export interface AuthServiceOptions {
  /**
   * A refresh decides on the user's last known state there and confirms it by its CAS write: one
   * database round trip instead of two while no one else writes to that user.
   */
  users: UserStore
  passwords: PasswordHasher
  emailClaims: EmailClaims
  /** Verifies signature, algorithm and expiry of a refresh JWT; throws otherwise. */
  verifyRefresh: (token: string) => unknown
  accessTtlSeconds: number
  refreshTtlSeconds: number
  graceSeconds: number
  maxSessions: number
  /** Normalized emails that get the `admin` role at registration. */
  adminEmails: readonly string[]
  throttle: LoginThrottle
  audit: AuditLog
  /** Registration starts no session, and login refuses an unverified address. */
  requireEmailVerification: boolean
  /** Mails a verification link to a new account's address. */
  sendVerification: (userId: Types.ObjectId, email: string) => Promise<void>
  /** Counts each refresh by its outcome (metrics). */
  onRefresh: (outcome: RefreshOutcome) => void
  /** Second factors: a login of a user with one ends in a challenge, not a session. */
  mfa: Pick<MfaService, 'isEnabled' | 'startChallenge' | 'passChallenge'>
}

/** How a refresh ended: a new token, the same successor again, a replay that revoked the session, or a refusal. */
export type RefreshOutcome = 'rotate' | 'grace' | 'reuse' | 'invalid'

/** An account to create: with a password (registration), or without (a provider's sign-in). */
export interface NewAccount {
  email: string
  name: string
  passwordHash: string | null
  emailVerified: boolean
}

/** A registration: its session, or none while the address awaits verification. */
export type Registration = AuthResult | { user: PublicUser, tokens: null }

/** How a session started by a password alone was authenticated. */
const passwordOnly = (): Pick<SessionRecord, 'amr' | 'aal'> => ({ amr: ['pwd'], aal: 'aal1' })

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

export function toPublicUser (user: UserProfile): PublicUser {
  return {
    id: user._id.toHexString(),
    email: user.email,
    // Accounts created before verification existed have no flag: not verified.
    emailVerified: user.emailVerified === true,
    name: user.name,
    roles: [...user.roles],
    createdAt: user.createdAt.toISOString(),
    // A document written before the field existed has none: no password either.
    hasPassword: typeof user.passwordHash === 'string'
  }
}

const isDuplicateKey = (err: unknown) => (err as { code?: unknown })?.code === 11000

export function createAuthService (opts: AuthServiceOptions) {
  const { users: store, passwords, emailClaims, throttle, audit } = opts
  const invalidRefresh = () => new InvalidRefreshTokenError()
  const withSessions = <T>(userId: string, step: StepFn<T>, hint?: StoredUser | 'recent') =>
    store.update(userId, step, { missing: invalidRefresh, hint })
  const refreshTtlMs = opts.refreshTtlSeconds * 1000
  const graceMs = opts.graceSeconds * 1000

  /** The claims of a genuine, unexpired refresh token; null for anything else. */
  function readRefreshClaims (token: string): RefreshClaims | null {
    if (!hasCanonicalSignature(token)) return null
    try {
      const claims = opts.verifyRefresh(token)
      return isRefreshClaims(claims) ? claims : null
    } catch {
      return null
    }
  }

  /** `refreshToken`: the session's current token when the caller has just signed it. */
  function issue (user: UserDocument, session: SessionRecord, refreshToken = user.generateRefreshToken(session)): AuthResult {
    return {
      user: toPublicUser(user),
      sessionId: session.id,
      tokens: {
        accessToken: user.generateAccessToken(session),
        refreshToken,
        accessTokenExpiresAt: accessExpiry(session.rotatedAt, opts.accessTtlSeconds),
        refreshTokenExpiresAt: session.expiresAt
      }
    }
  }

  /**
   * Puts `session` (its token hash still to come) into the user's sessions with its refresh
   * token, which only now can be signed and hashed: the answer, and the sessions to write.
   */
  function install (user: UserDocument, sessions: readonly SessionRecord[], session: Omit<SessionRecord, 'tokenHash'>, now: Date): { result: AuthResult, sessions: SessionRecord[] } {
    const refreshToken = user.generateRefreshToken(session)
    const installed: SessionRecord = { ...session, tokenHash: hashToken(refreshToken) }
    return { result: issue(user, installed, refreshToken), sessions: upsertSession(sessions, installed, now, opts.maxSessions) }
  }

  /**
   * `checked`: the read the password was checked against. Every change of credentials (a new
   * password, "log out everywhere", new roles) bumps `tokenVersion`; one that landed since that
   * read voids the check, so no session starts on it. `challenged`: the version a second step's
   * challenge was opened on, void likewise.
   */
  function startSession (userId: string, meta: ClientMeta, { checked, challenged, auth = passwordOnly() }: {
    checked?: StoredUser
    challenged?: number
    auth?: Pick<SessionRecord, 'amr' | 'aal'>
  } = {}): Promise<AuthResult> {
    return withSessions(userId, (fresh, sessions, now) => {
      if (challenged !== undefined && fresh.tokenVersion !== challenged) throw new MfaChallengeInvalidError()
      if (fresh.disabledAt) throw new AccountDisabledError()
      if (checked && fresh.tokenVersion !== checked.tokenVersion) throw new RefreshConflictError()
      const session: Omit<SessionRecord, 'tokenHash'> = {
        id: newSessionId(),
        gen: 1,
        prevHash: null,
        rotatedAt: now,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + refreshTtlMs),
        userAgent: meta.userAgent.slice(0, 512),
        ip: meta.ip,
        authTime: now,
        authSpent: false,
        ...auth
      }
      const { result, sessions: next } = install(fresh, sessions, session, now)
      return { result, write: { sessions: next } }
    }, checked)
  }

  /** Claims the (normalized) email, then creates the user; AUTH_EMAIL_TAKEN if someone holds it. */
  async function createAccount (account: NewAccount): Promise<UserProfile> {
    const _id = new Types.ObjectId()
    await emailClaims.claim(account.email, _id)
    try {
      // ADMIN_EMAILS grants admin to a proven address only: a provider's verified email here, a
      // verification link later (src/services/email-service.ts).
      const roles = account.emailVerified && opts.adminEmails.includes(account.email) ? ['user', 'admin'] : ['user']
      return await store.insert({ _id, ...account, roles })
    } catch (err) {
      await emailClaims.release(account.email, _id)
      throw isDuplicateKey(err) ? new EmailTakenError() : err
    }
  }

  return {
    createAccount,

    async register (input: { email: string, password: string, name?: string }, meta: ClientMeta): Promise<Registration> {
      const email = normalizeEmail(input.email)
      const passwordHash = await passwords.hash(input.password)
      const profile = await createAccount({ email, name: input.name?.trim() ?? '', passwordHash, emailVerified: false })
      await opts.sendVerification(profile._id, email)
      if (opts.requireEmailVerification) return { user: toPublicUser(profile), tokens: null }
      return startSession(profile._id.toHexString(), meta)
    },

    /** Same answer and the same argon2 work for an unknown email and a wrong password. */
    async login (input: { email: string, password: string }, meta: ClientMeta): Promise<AuthResult> {
      const email = normalizeEmail(input.email)
      // Read inside the check, which runs after the lock check: a refused attempt reads no user.
      let found: StoredUser | null = null
      // The user whose password this is, or false; an unknown email costs the same argon2 work.
      const matching = async () => {
        found = await store.findByEmail(email)
        return found ? (await passwords.verify(found.passwordHash, input.password)) && found : passwords.burn(input.password)
      }
      const user = await throttle.checkPassword(email, matching, {
        locked: () => audit.record('login.locked', { meta, detail: { email } }),
        failed: () => audit.record('login.failure', { userId: found?._id.toString(), meta, detail: { email } }),
        wrong: () => new InvalidCredentialsError()
      })
      // Only after the password check: the answers say nothing about an address to a guesser.
      if (user.disabledAt) throw new AccountDisabledError()
      if (opts.requireEmailVerification && user.emailVerified !== true) throw new EmailNotVerifiedError()
      // No tokens yet: the second step (POST /auth/mfa/verify) starts the session.
      if (await opts.mfa.isEnabled(user._id)) throw new MfaRequiredError(await opts.mfa.startChallenge(user))
      const userId = user._id.toString()
      if (user.passwordHash !== null && passwords.needsRehash(user.passwordHash)) {
        await store.replacePasswordHash(user._id, user.passwordHash, await passwords.hash(input.password))
      }
      // The read is still a valid CAS snapshot after a rehash: that write leaves `rev` alone, and
      // starting a session writes only the sessions.
      const result = await startSession(userId, meta, { checked: user })
      await audit.record('login.success', { userId, sessionId: result.sessionId, meta })
      return result
    },

    /**
     * Signs in a user whom something other than a password vouched for: `oauth` (a provider) or
     * `hwk` (a passkey), RFC 8176 `amr` values. One factor (aal1): a user with a second factor
     * gets AUTH_MFA_REQUIRED. `verified`: the authenticator verified the user too (a passkey's
     * PIN or biometric), which counts as two factors (`amr` gains `user`, aal2).
     */
    async signInWith (userId: string, method: FirstFactor, meta: ClientMeta, { verified = false, ...detail }: { verified?: boolean, [key: string]: unknown }): Promise<AuthResult> {
      const state = await store.readSignInState(userId)
      if (!state || state.disabledAt) throw new AccountDisabledError()
      if (!verified && await opts.mfa.isEnabled(state._id)) throw new MfaRequiredError(await opts.mfa.startChallenge(state, method))
      const auth: Pick<SessionRecord, 'amr' | 'aal'> = verified ? { amr: [method, 'user'], aal: 'aal2' } : { amr: [method], aal: 'aal1' }
      const result = await startSession(userId, meta, { auth })
      await audit.record('login.success', { userId, sessionId: result.sessionId, meta, detail: { method, ...detail } })
      return result
    },

    /** The second step of a login: a code for the challenge the first step opened starts an aal2 session. */
    async completeMfaLogin (challengeToken: string, code: string, meta: ClientMeta): Promise<AuthResult> {
      const { userId, firstFactor, tokenVersion } = await opts.mfa.passChallenge(challengeToken, code, meta)
      const result = await startSession(userId, meta, { challenged: tokenVersion, auth: { amr: [firstFactor, 'otp'], aal: 'aal2' } })
      await audit.record('login.success', { userId, sessionId: result.sessionId, meta, detail: { mfa: true } })
      return result
    },

    /**
     * After the signed-in user proved again that it is them (`method`): the session's
     * authentication time is now, and its tokens are new (the refresh token rotates). No new
     * session starts. A second factor's code makes the session two-factor.
     */
    async renewAuthentication (claims: AccessClaims, method: 'password' | 'totp' | 'recovery_code' | 'passkey', meta: ClientMeta): Promise<AuthResult> {
      const result = await store.update(claims.sub, (user, sessions, now) => {
        if (user.disabledAt) throw new AccountDisabledError()
        const session = sessions.find(s => s.id === claims.sid && s.expiresAt > now)
        if (!session) throw new SessionRevokedError()
        const secondFactor = (method === 'totp' || method === 'recovery_code') && !session.amr.includes('otp')
        const next = {
          ...reauthenticate(rotate(session, now, refreshTtlMs), now),
          ...(secondFactor && { amr: [...session.amr, 'otp'], aal: 'aal2' as const }),
          ip: meta.ip
        }
        const { result, sessions: written } = install(user, sessions, next, now)
        return { result, write: { sessions: written } }
      }, { missing: () => new SessionRevokedError() })
      await audit.record('session.reauthenticated', { userId: claims.sub, sessionId: claims.sid, meta, detail: { method } })
      return result
    },

    /** Rotates the presented refresh token; see decideRefresh for the cases. */
    async refresh (token: string, meta: ClientMeta): Promise<AuthResult> {
      const counted = opts.onRefresh
      const claimsOfToken = readRefreshClaims(token)
      if (!claimsOfToken) {
        counted('invalid')
        throw new InvalidRefreshTokenError()
      }
      const { sub, sid, gen } = claimsOfToken
      const presentedHash = hashToken(token)
      type Decided = { kind: 'grace' | 'rotate', result: AuthResult } | { kind: 'reuse' }
      let outcome: Decided
      try {
        outcome = await withSessions<Decided>(sub, (user, sessions, now) => {
          if (user.disabledAt) throw new AccountDisabledError()
          const decision = decideRefresh({ session: sessions.find(s => s.id === sid), gen, presentedHash, now, graceMs })
          switch (decision.kind) {
            case 'invalid':
              throw new InvalidRefreshTokenError()
            case 'grace':
              return { result: { kind: 'grace', result: issue(user, decision.session) } }
            case 'reuse':
              return { result: { kind: 'reuse' }, write: { sessions: sessions.filter(s => s !== decision.session) } }
            case 'rotate': {
              const { result, sessions: written } = install(user, sessions, { ...rotate(decision.session, now, refreshTtlMs), ip: meta.ip }, now)
              return { result: { kind: 'rotate', result }, write: { sessions: written } }
            }
          }
        }, 'recent')
      } catch (err) {
        if (err instanceof InvalidRefreshTokenError) counted('invalid')
        throw err
      }
      counted(outcome.kind)
      if (outcome.kind === 'reuse') {
        await audit.record('refresh.reuse', { userId: sub, sessionId: sid, meta, detail: { gen } })
        throw new RefreshReusedError()
      }
      return outcome.result
    },

    /**
     * Revokes the token's session if the token is genuine. Idempotent: a missing, bad or already
     * revoked token is not an error. Only a database failure is. An already-rotated token is
     * judged as refresh judges it: within the grace window it is the client's own, otherwise its
     * use is reuse, audited as such (the session is revoked either way).
     */
    async logout (token: string | undefined, meta: ClientMeta): Promise<void> {
      const claimsOfToken = token ? readRefreshClaims(token) : null
      if (!claimsOfToken) return
      const { sub, sid, gen } = claimsOfToken
      const presentedHash = hashToken(token!)
      const outcome = await withSessions<'logout' | 'reuse' | null>(sub, (_user, sessions, now) => {
        const decision = decideRefresh({ session: sessions.find(s => s.id === sid), gen, presentedHash, now, graceMs })
        if (decision.kind === 'invalid') return { result: null }
        return { result: decision.kind === 'reuse' ? 'reuse' : 'logout', write: { sessions: sessions.filter(s => s !== decision.session) } }
      }).catch((err: unknown) => {
        // The user is gone: nothing left to revoke. Anything else (DB down) must surface.
        if (!(err instanceof InvalidRefreshTokenError)) throw err
        return null
      })
      if (outcome === 'logout') await audit.record('session.revoked', { userId: sub, sessionId: sid, meta, detail: { reason: 'logout' } })
      if (outcome === 'reuse') await audit.record('refresh.reuse', { userId: sub, sessionId: sid, meta, detail: { gen, via: 'logout' } })
    }
  }
}

export type AuthService = ReturnType<typeof createAuthService>
