/** A streak of failures is forgotten after this long without one. */
export const QUIET_PERIOD_MS = 24 * 3600_000
const FIRST_LOCK_MS = 15 * 60_000
const MAX_LOCK_MS = 24 * 3600_000
/**
 * A failure record (failures, lock) matters for this long after its last failure, then never again:
 * its streak is forgotten and any lock it set has ended (a lock starts at a failure).
 */
export const ATTEMPT_RECORD_TTL_MS = Math.max(QUIET_PERIOD_MS, MAX_LOCK_MS)

/** The per-account failure record: the streak's failures, the last one, and the lock it set. */
export interface AttemptRecord {
  failures: number
  lastFailureAt: Date
  lockedUntil: Date | null
}

/**
 * How long the streak's `failures`-th failure locks the account: every `maxFailures`-th failure
 * sets a lock, and each lock of a streak lasts twice the one before (15 min, 30 min, 1 h …),
 * capped at 24 h. Never a permanent lock, so an attacker cannot lock a user out for good (OWASP
 * Authentication Cheat Sheet, "Account Lockout"); with the streak kept until a quiet day, a
 * guesser gets about 35 tries a day at 5 failures per lock.
 */
export function lockDurationMs (failures: number, maxFailures: number): number {
  if (failures < maxFailures || failures % maxFailures !== 0) return 0
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(20, failures / maxFailures - 1))
}

/**
 * The record after a failure at `now`: the streak goes on unless the last failure was a quiet
 * period ago, and the failure that completes a round of `maxFailures` sets the next lock.
 */
export function afterFailure (record: AttemptRecord | null, now: Date, maxFailures: number): AttemptRecord {
  const ongoing = record !== null && now.getTime() - record.lastFailureAt.getTime() < QUIET_PERIOD_MS
  const failures = ongoing ? record.failures + 1 : 1
  const lockMs = lockDurationMs(failures, maxFailures)
  return { failures, lastFailureAt: now, lockedUntil: lockMs > 0 ? new Date(now.getTime() + lockMs) : null }
}
