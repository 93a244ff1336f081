import type { LoginAttemptFields, LoginAttemptModel } from '../../models/login-attempt.js'
import { emailKey } from '../../models/email-claim.js'
import { TooManyAttemptsError } from '../errors.js'
import { afterFailure, ATTEMPT_RECORD_TTL_MS, lockDurationMs } from '../lib/backoff.js'

export interface PasswordCheckHooks {
  /** Before a refusal for the lock (for the audit log). */
  locked: () => Promise<void>
  /** After a wrong password was counted (for the audit log). */
  failed: () => Promise<void>
  /** The error for a wrong password when no lock is on. */
  wrong: () => Error
}

/** Compare-and-swap retries for one failure; contention is per email. */
const CAS_ATTEMPTS = 10

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
   * Throws 429 AUTH_TOO_MANY_ATTEMPTS while the email is locked. Otherwise returns the record
   * read (null when no failures are on record), for a success to reset exactly that.
   */
  async function assertAllowed (email: string, now = new Date()): Promise<LoginAttemptFields | null> {
    const doc = await attempts.findById(keyOf(email), null, { lean: true })
    if (doc?.lockedUntil && doc.lockedUntil > now) {
      throw new TooManyAttemptsError(secondsUntil(doc.lockedUntil, now))
    }
    return doc
  }

  /**
   * Counts a failure and locks the account once there are enough, in one compare-and-swap on
   * the record as read: of concurrent failures each counts once, in some order, and the one that
   * reaches the limit sets the lock in the same write. Returns the seconds left on a lock that
   * other attempts set while this one was being checked (0 if none); such an attempt is refused
   * like any made during the lock, and not counted.
   */
  async function recordFailure (email: string, now = new Date()): Promise<number> {
    const _id = keyOf(email)
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = await attempts.findById(_id, null, { lean: true })
      if (doc?.lockedUntil && doc.lockedUntil > now) return secondsUntil(doc.lockedUntil, now)
      const next = afterFailure(doc, now, maxFailures)
      if (!doc) {
        try {
          await attempts.collection.insertOne({ _id, ...next })
          return 0
        } catch (err) {
          // Another attempt's first failure was inserted first: count on top of it.
          if ((err as { code?: unknown }).code !== 11000) throw err
          continue
        }
      }
      const written = await attempts.collection.updateOne({ _id, failures: doc.failures, lastFailureAt: doc.lastFailureAt }, { $set: next })
      if (written.matchedCount === 1) return 0
    }
    // Contention this heavy on one email is an attack: refuse this attempt like a locked one.
    return Math.ceil(lockDurationMs(maxFailures, maxFailures) / 1000)
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
      const before = await allowed()
      const passed = await check()
      if (passed === false) {
        const lockedSeconds = await recordFailure(email)
        await hooks.failed()
        throw lockedSeconds > 0 ? new TooManyAttemptsError(lockedSeconds) : hooks.wrong()
      }
      // Checked again: failures that ended while this check ran may have locked the account.
      await allowed()
      // A success forgets the failures it saw before its check, if no other failure came since
      // (conditional on the record read): a success at the end of a burst of guesses does not
      // erase the burst's failures, which keep counting toward the lock.
      if (before) await attempts.deleteOne({ _id: before._id, failures: before.failures, lastFailureAt: before.lastFailureAt })
      return passed
    }
  }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>
