import type { LoginAttemptModel } from '../../models/login-attempt.js'
import { emailKey } from '../../models/email-claim.js'
import { TooManyAttemptsError } from '../errors.js'
import { ATTEMPT_RECORD_TTL_MS, FAILURE_WINDOW_MS, lockDurationMs } from '../lib/backoff.js'

export interface PasswordCheckHooks {
  /** Before a refusal for the lock (for the audit log). */
  locked: () => Promise<void>
  /** After a wrong password was counted (for the audit log). */
  failed: () => Promise<void>
  /** The error for a wrong password when no lock is on. */
  wrong: () => Error
}

/** Whole seconds from `now` until `until`, for Retry-After. */
const secondsUntil = (until: Date, now: Date) => Math.ceil((until.getTime() - now.getTime()) / 1000)

/**
 * Per-account throttling, stored in MongoDB so it holds across instances. Keyed by email, known
 * or not, so its answers reveal nothing about which accounts exist.
 */
export function createLoginThrottle (attempts: LoginAttemptModel, maxFailures: number, opts: { prefix?: string } = {}) {
  // A second lock (second-factor codes: prefix 'mfa:') keeps records of its own.
  const keyOf = (id: string) => emailKey(`${opts.prefix ?? ''}${id}`)
  /**
   * Throws 429 AUTH_TOO_MANY_ATTEMPTS while the email is locked. Otherwise tells whether failures
   * are on record (so a success only resets when needed).
   */
  async function assertAllowed (email: string, now = new Date()): Promise<boolean> {
    const doc = await attempts.findById(keyOf(email), null, { lean: true })
    if (doc?.lockedUntil && doc.lockedUntil > now) {
      throw new TooManyAttemptsError(secondsUntil(doc.lockedUntil, now))
    }
    return doc !== null
  }

  /**
   * Counts a failure, locking the account once there are enough. Returns the seconds left on a
   * lock that other attempts' failures set while this one was being checked (0 if none): the
   * caller refuses this attempt like any attempt made during the lock.
   */
  async function recordFailure (email: string, now = new Date()): Promise<number> {
    const _id = keyOf(email)
    const stale = new Date(now.getTime() - FAILURE_WINDOW_MS)
    // Forget an old streak first (conditional, so a concurrent fresh failure is never erased).
    await attempts.deleteOne({ _id, lastFailureAt: { $lt: stale } })
    const doc = await attempts.findOneAndUpdate(
      { _id },
      { $inc: { failures: 1 }, $set: { lastFailureAt: now } },
      { upsert: true, returnDocument: 'after' }
    )
    const lockMs = lockDurationMs(doc.failures, maxFailures)
    if (lockMs > 0) await attempts.updateOne({ _id }, { $set: { lockedUntil: new Date(now.getTime() + lockMs) } })
    return doc.lockedUntil && doc.lockedUntil > now ? secondsUntil(doc.lockedUntil, now) : 0
  }

  return {
    /** Lifts the lock and forgets the failures (a password reset is the way back in). */
    async clear (email: string): Promise<void> {
      await attempts.deleteOne({ _id: keyOf(email) })
    },

    /** Deletes the records that can no longer count or lock; returns how many. */
    async prune (now = new Date()): Promise<number> {
      return (await attempts.deleteMany({ lastFailureAt: { $lt: new Date(now.getTime() - ATTEMPT_RECORD_TTL_MS) } })).deletedCount
    },

    /**
     * Runs a password check for `email` under its lock, as login and the password change do:
     * refused while locked; a wrong password (`check` resolving to false) is counted and throws
     * `hooks.wrong()`; a success resets the count and resolves to what `check` resolved to.
     *
     * The lock is checked before the check and again after it: checks sent together all pass
     * the first, and those that end once their predecessors' failures have locked the account
     * get the lock's 429, right password or not, so they get no more answers than the limit
     * allows.
     */
    async checkPassword<T> (email: string, check: () => Promise<T | false>, hooks: PasswordCheckHooks): Promise<T> {
      const allowed = async () => {
        try {
          return await assertAllowed(email)
        } catch (err) {
          // Only the lock is a refusal to audit; a database failure is not a lockout.
          if (err instanceof TooManyAttemptsError) await hooks.locked()
          throw err
        }
      }
      await allowed()
      const passed = await check()
      if (passed === false) {
        const lockedSeconds = await recordFailure(email)
        await hooks.failed()
        throw lockedSeconds > 0 ? new TooManyAttemptsError(lockedSeconds) : hooks.wrong()
      }
      // A success resets the count (when there is one).
      if (await allowed()) await attempts.deleteOne({ _id: keyOf(email) })
      return passed
    }
  }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>
