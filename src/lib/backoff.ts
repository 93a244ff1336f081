/** Failures older than this are forgotten. */
export const FAILURE_WINDOW_MS = 15 * 60_000
const FIRST_LOCK_MS = 30_000
const MAX_LOCK_MS = 15 * 60_000
/**
 * A failure record (failures, lock) matters for this long after its last failure, then never again:
 * its streak is forgotten and any lock it set has ended (a lock starts at a failure).
 */
export const ATTEMPT_RECORD_TTL_MS = Math.max(FAILURE_WINDOW_MS, MAX_LOCK_MS)

/**
 * Exponential back-off for failed logins on one account: nothing below `maxFailures`, then 30 s,
 * 1 min, 2 min … capped at 15 min. Never a permanent lock, so an attacker cannot lock a user out
 * for good (OWASP Authentication Cheat Sheet, "Account Lockout").
 */
export function lockDurationMs (failures: number, maxFailures: number): number {
  if (failures < maxFailures) return 0
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(20, failures - maxFailures))
}
