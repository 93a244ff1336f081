import t from 'tap'
import { afterFailure, lockDurationMs, QUIET_PERIOD_MS, type AttemptRecord } from '../../src/lib/backoff.js'

const MIN = 60_000
const HOUR = 60 * MIN

t.test('every fifth failure locks, each lock twice the one before, capped at a day', async t => {
  t.equal(lockDurationMs(0, 5), 0)
  t.equal(lockDurationMs(4, 5), 0, 'below the threshold: no lock')
  t.equal(lockDurationMs(5, 5), 15 * MIN, 'the first lock: 15 min')
  t.equal(lockDurationMs(6, 5), 0, 'the failures between locks set none')
  t.equal(lockDurationMs(10, 5), 30 * MIN, 'the second: doubled')
  t.equal(lockDurationMs(15, 5), HOUR)
  t.equal(lockDurationMs(40, 5), 24 * HOUR, 'capped at 24 h')
  t.equal(lockDurationMs(10_000_000, 5), 24 * HOUR, 'no overflow for huge counts')
})

t.test('the streak is kept until a quiet day, and an old one starts again', async t => {
  const start = new Date('2026-01-01T00:00:00Z')
  let record: AttemptRecord | null = null
  for (let i = 0; i < 5; i++) record = afterFailure(record, start, 5)
  t.equal(record!.failures, 5)
  t.same(record!.lockedUntil, new Date(start.getTime() + 15 * MIN))
  // Right after the lock ends, the streak goes on: the next round's lock is longer.
  const later = new Date(start.getTime() + 16 * MIN)
  record = afterFailure(record, later, 5)
  t.equal(record.failures, 6, 'the streak survived the lock')
  t.equal(record.lockedUntil, null)
  const quiet = new Date(later.getTime() + QUIET_PERIOD_MS)
  record = afterFailure(record, quiet, 5)
  t.equal(record.failures, 1, 'a day without failures forgets the streak')
})

t.test('a guesser as fast as the lock allows gets about 50 tries a day at most', async t => {
  // The clock is set: each guess comes the moment the last lock ends.
  let now = new Date('2026-01-01T00:00:00Z').getTime()
  const end = now + 24 * HOUR
  let record: AttemptRecord | null = null
  let guesses = 0
  while (now < end) {
    record = afterFailure(record, new Date(now), 5)
    guesses++
    if (record.lockedUntil) now = record.lockedUntil.getTime()
  }
  t.ok(guesses <= 50, `${guesses} guesses in 24 h`)
  // Premise: the streak went through several doubled locks, not one.
  t.ok(record!.failures >= 30, `${record!.failures} failures in the streak`)
  // The old policy (a window and a longest lock of 15 min each) allowed about 476 a day.
})
