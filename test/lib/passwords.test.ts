import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import t from 'tap'
import { ARGON2_OPTIONS, createPasswordHasher } from '../../src/lib/passwords.js'

t.test('argon2id at the OWASP parameters', async t => {
  const passwords = createPasswordHasher()
  const hash = await passwords.hash('correct horse')
  t.match(hash, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/)
  t.equal(ARGON2_OPTIONS.type, argon2.argon2id)
  t.ok(await passwords.verify(hash, 'correct horse'))
  t.notOk(await passwords.verify(hash, 'wrong horse'))
  t.notOk(await passwords.verify('not a hash', 'x'), 'a malformed stored hash verifies false, never throws')
  t.not(await passwords.hash('correct horse'), hash, 'salted')
})

t.test('needsRehash flags hashes made with other parameters', async t => {
  const passwords = createPasswordHasher()
  t.notOk(passwords.needsRehash(await passwords.hash('pw')))
  t.ok(passwords.needsRehash(await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })))
  t.ok(passwords.needsRehash('garbage'))
})

t.test('burn always fails, and does the work of a verification', async t => {
  const passwords = createPasswordHasher({ concurrency: 1 })
  const burn = passwords.burn('dummy password for timing equalisation')
  t.equal(await burn, false)
  const again = passwords.burn('x')
  await Promise.resolve()
  t.match(passwords.load(), { active: 1 }, 'a verification runs (the dummy hash is made once)')
  t.equal(await again, false)
})

t.test('default concurrency leaves a core to the event loop', async t => {
  t.equal(createPasswordHasher().load().concurrency, Math.max(1, availableParallelism() - 1))
  t.equal(createPasswordHasher({ concurrency: 3 }).load().concurrency, 3)
})

t.test('hashing is bounded: excess work queues, and all of it completes', async t => {
  const passwords = createPasswordHasher({ concurrency: 1 })
  const work = Array.from({ length: 4 }, (_, i) => passwords.hash(`pw-${i}`))
  await Promise.resolve()
  t.match(passwords.load(), { concurrency: 1, active: 1, pending: 3 }, 'one at a time, three queued')
  const hashes = await Promise.all(work)
  t.equal(new Set(hashes).size, 4, 'queued work all completes')
  t.ok(await passwords.verify(hashes[3]!, 'pw-3'))
  t.match(passwords.load(), { concurrency: 1, active: 0, pending: 0 })
})

t.test('two hashers do not share a queue', async t => {
  const a = createPasswordHasher({ concurrency: 1 })
  const b = createPasswordHasher({ concurrency: 1 })
  const held = a.hash('held')
  const other = b.hash('other')
  await Promise.resolve()
  t.match(b.load(), { active: 1, pending: 0 }, "b runs at once, whatever a's queue holds")
  await Promise.all([held, other])
})
