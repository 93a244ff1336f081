import argon2 from 'argon2'
import t from 'tap'
import { ARGON2_OPTIONS, burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from '../../src/lib/passwords.js'

t.test('argon2id at the OWASP parameters', async t => {
  const hash = await hashPassword('correct horse')
  t.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
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

t.test('hashing is bounded to leave the event loop a core', async t => {
  const { HASH_CONCURRENCY } = await import('../../src/lib/passwords.js')
  const { availableParallelism } = await import('node:os')
  t.equal(HASH_CONCURRENCY, Math.max(1, availableParallelism() - 1))
  const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`pw-${i}`)))
  t.equal(new Set(hashes).size, 6, 'queued work all completes')
  t.ok(await verifyPassword(hashes[3]!, 'pw-3'))
})
