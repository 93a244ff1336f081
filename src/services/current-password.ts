import { WrongPasswordError } from '../errors.js'
import type { PasswordHasher } from '../lib/passwords.js'
import type { AccessClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import type { ClientMeta } from './auth-service.js'
import type { LoginThrottle } from './login-throttle.js'
import type { StoredUser } from './user-store.js'

/**
 * Checks a signed-in user's current password under the login's per-account lock, where a wrong
 * one counts like a failed login: a stolen session cannot guess the password faster than a login
 * could. 401 AUTH_WRONG_PASSWORD, or 429 while the lock is on.
 */
export async function checkCurrentPassword (
  deps: { throttle: LoginThrottle, passwords: PasswordHasher, audit: AuditLog },
  user: StoredUser, password: string, claims: AccessClaims, meta: ClientMeta, via: string
): Promise<void> {
  const event = { userId: claims.sub, sessionId: claims.sid, meta, detail: { email: user.email, via } }
  await deps.throttle.checkPassword(user.email, () => deps.passwords.verify(user.passwordHash, password), {
    locked: () => deps.audit.record('login.locked', event),
    failed: () => deps.audit.record('login.failure', event),
    wrong: () => new WrongPasswordError()
  })
}
