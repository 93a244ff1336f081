import t from 'tap'
import { lockDurationMs } from '../../src/lib/backoff.js'

t.test('exponential, capped, never permanent', async t => {
  t.equal(lockDurationMs(0, 5), 0)
  t.equal(lockDurationMs(4, 5), 0, 'below the threshold: no lock')
  t.equal(lockDurationMs(5, 5), 30_000, 'at the threshold: 30 s')
  t.equal(lockDurationMs(6, 5), 60_000, 'doubles')
  t.equal(lockDurationMs(7, 5), 120_000)
  t.equal(lockDurationMs(10, 5), 900_000, 'capped at 15 min')
  t.equal(lockDurationMs(10_000, 5), 900_000, 'no overflow for huge counts')
})
