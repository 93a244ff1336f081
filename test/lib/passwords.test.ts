import argon2 from 'argon2'
import t from 'tap'
import { ARGON2_OPTIONS, burnPasswordCheck, DEFAULT_HASH_CONCURRENCY, hashingLoad, hashPassword, needsRehash, setHashConcurrency, verifyPassword } from '../../src/lib/passwords.js'

t.test('argon2id at the OWASP parameters', async t => {
  const hash = await hashPassword('correct horse')
  t.match(hash, /^\$argon2id\$v=19\$m=12288,t=3,p=1\$/)
  t.equal(ARGON2_OPTIONS.type, argon2.argon2id)
  t.ok(await verifyPassword(hash, 'correct horse'))
  t.notOk(await verifyPassword(hash, 'wrong horse'))
  t.notOk(await verifyPassword('not a hash', 'x'), 'a malformed stored hash verifies false, never throws')
  t.not(await hashPassword('correct horse'), hash, 'salted')
})

t.test('needsRehash flags hashes made with other parameters', async t => {
  t.notOk(needsRehash(await hashPassword('pw')))
  t.ok(needsRehash(await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })))
  t.ok(needsRehash('garbage'))
})

t.test('burnPasswordCheck always fails', async t => {
  t.equal(await burnPasswordCheck('dummy password for timing equalisation'), false)
  t.equal(await burnPasswordCheck('x'), false)
})

t.test('hashing is bounded: excess work queues, and all of it completes', async t => {
  const { availableParallelism } = await import('node:os')
  t.equal(hashingLoad().concurrency, Math.max(1, availableParallelism() - 1), 'a core left to the event loop by default')
  setHashConcurrency(1)
  t.teardown(() => setHashConcurrency(DEFAULT_HASH_CONCURRENCY))
  const work = Array.from({ length: 4 }, (_, i) => hashPassword(`pw-${i}`))
  await Promise.resolve()
  t.same(hashingLoad(), { concurrency: 1, active: 1, pending: 3 }, 'one at a time, three queued')
  const hashes = await Promise.all(work)
  t.equal(new Set(hashes).size, 4, 'queued work all completes')
  t.ok(await verifyPassword(hashes[3]!, 'pw-3'))
  t.same(hashingLoad(), { concurrency: 1, active: 0, pending: 0 })
})
