import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { Types } from 'mongoose'
import { EmailNotVerifiedError, PasskeyLoginFailedError, SessionRevokedError, StepUpRequiredError, WrongPasswordError } from '../errors.js'
import type { PasswordHasher } from '../lib/passwords.js'
import { recentAuthentication } from '../lib/sessions.js'
import type { AccessClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import type { AuthResult, AuthService, ClientMeta } from './auth-service.js'
import { checkCurrentPassword } from './current-password.js'
import type { LoginMethods } from './login-methods.js'
import type { LoginThrottle } from './login-throttle.js'
import type { MfaService } from './mfa-service.js'
import type { PasskeyService } from './passkey-service.js'
import type { UserStore } from './user-store.js'

export interface ReauthenticationOptions {
  users: UserStore
  /** REAUTHENTICATION_WINDOW; 0: each authentication serves one action. */
  windowMs: number
  loginMethods: LoginMethods
  passwords: PasswordHasher
  throttle: LoginThrottle
  audit: AuditLog
  mfa: Pick<MfaService, 'verifyCode'>
  passkeys: Pick<PasskeyService, 'loginOptions' | 'login'>
  renew: AuthService['renewAuthentication']
}

/** A step that found the session's authentication too old: the user's state, to list how to renew it. */
class Stale extends Error {
  readonly hasPassword: boolean
  constructor (hasPassword: boolean) {
    super('stale')
    this.hasPassword = hasPassword
  }
}

/**
 * Recent authentication for the actions a stolen session must not take (ASVS 5.0 V7.5.1):
 * adding or removing a way to sign in, deleting the account. A session qualifies for
 * REAUTHENTICATION_WINDOW after it signed in or re-authenticated; re-authenticating (a password,
 * an authenticator or recovery code, a passkey) renews it without starting a new session.
 */
export function createReauthentication (opts: ReauthenticationOptions) {
  const { users } = opts
  const revoked = () => new SessionRevokedError()

  return {
    /**
     * Passes when the session authenticated recently enough (with a zero window: marks that
     * authentication spent); otherwise 403 AUTH_STEP_UP_REQUIRED listing the user's ways to
     * re-authenticate. `verifiedEmail`: for adding a way to sign in, the address must be
     * proven first (AUTH_EMAIL_NOT_VERIFIED), or whoever registered someone else's address
     * could plant a passkey, provider or authenticator that outlives the owner's reset.
     */
    async assertRecent (claims: AccessClaims, { verifiedEmail = false } = {}): Promise<void> {
      try {
        await users.update(claims.sub, (user, sessions, now) => {
          if (verifiedEmail && user.emailVerified !== true) throw new EmailNotVerifiedError()
          const session = sessions.find(s => s.id === claims.sid && s.expiresAt > now)
          if (!session) throw revoked()
          const recent = recentAuthentication(session, now, opts.windowMs)
          if (recent === 'stale') throw new Stale(user.passwordHash !== null)
          if (recent === 'recent') return { result: undefined }
          return { result: undefined, write: { sessions: sessions.map(s => s === session ? { ...s, authSpent: true } : s) } }
        }, { missing: revoked })
      } catch (err) {
        if (!(err instanceof Stale)) throw err
        throw new StepUpRequiredError(await opts.loginMethods.reauthMethods(new Types.ObjectId(claims.sub), err.hasPassword))
      }
    },

    /** Re-authentication with the current password, under the login lock. */
    async withPassword (claims: AccessClaims, password: string, meta: ClientMeta): Promise<AuthResult> {
      const stored = await users.read(claims.sub)
      if (!stored) throw revoked()
      if (stored.passwordHash === null) throw new WrongPasswordError()
      await checkCurrentPassword(opts, stored, password, claims, meta, 'reauthentication')
      return opts.renew(claims, 'password', meta)
    },

    /** Re-authentication with an authenticator or recovery code, under the second-factor lock. */
    async withCode (claims: AccessClaims, code: string, meta: ClientMeta): Promise<AuthResult> {
      const method = await opts.mfa.verifyCode(claims.sub, code, meta)
      return opts.renew(claims, method, meta)
    },

    /** Request options for a passkey of this user's. */
    passkeyOptions (claims: AccessClaims): Promise<{ challengeId: string, options: PublicKeyCredentialRequestOptionsJSON }> {
      return opts.passkeys.loginOptions(claims.sub)
    },

    /** Re-authentication with one of the user's passkeys. */
    async withPasskey (claims: AccessClaims, challengeId: string, response: AuthenticationResponseJSON, meta: ClientMeta): Promise<AuthResult> {
      const { userId } = await opts.passkeys.login(challengeId, response, meta)
      if (userId !== claims.sub) throw new PasskeyLoginFailedError()
      return opts.renew(claims, 'passkey', meta)
    }
  }
}

export type Reauthentication = ReturnType<typeof createReauthentication>
