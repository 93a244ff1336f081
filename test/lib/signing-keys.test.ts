import t from 'tap'
import { generateSigningKey, peekHeader, planKeys, type KeyRecord } from '../../src/lib/signing-keys.js'

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 3, 12, minutes))
const key = (kid: string, state: KeyRecord['state'], over: Partial<KeyRecord> = {}): KeyRecord =>
  ({ kid, state, createdAt: at(0), activatedAt: state === 'current' ? at(0) : null, deactivatedAt: null, ...over })
const opts = { now: at(30), retireAfterMs: 20 * 60_000, rotateAfterMs: 0 }

t.test('the plan every instance agrees on', async t => {
  const plan = planKeys([key('a', 'current'), key('b', 'next'), key('p', 'previous', { deactivatedAt: at(5) }), key('q', 'previous', { deactivatedAt: at(20) }), key('r', 'retired')], opts)
  t.equal(plan.current?.kid, 'a')
  t.equal(plan.next?.kid, 'b')
  t.same(plan.toRetire.map(k => k.kid), ['p'], 'a previous key past one access TTL plus the cache time')
  t.same(plan.live.map(k => k.kid), ['a', 'b', 'q'], 'what verifies and is published')
  t.equal(plan.rotationDue, false, 'no automatic rotation at 0')
})

t.test('two currents (two instances bootstrapped at once): the same one wins everywhere', async t => {
  const byActivation = planKeys([key('late', 'current', { activatedAt: at(2) }), key('early', 'current', { activatedAt: at(1) })], opts)
  t.same([byActivation.current?.kid, byActivation.extraCurrents.map(k => k.kid)], ['early', ['late']])
  const byCreation = planKeys([key('y', 'current', { createdAt: at(2) }), key('x', 'current', { createdAt: at(1) })], opts)
  t.equal(byCreation.current?.kid, 'x')
  const byKid = planKeys([key('n', 'current'), key('m', 'current')], opts)
  t.equal(byKid.current?.kid, 'm', 'then by kid: deterministic')
  t.same([planKeys([key('n', 'next'), key('m', 'next', { createdAt: at(-1) })], opts).next?.kid], ['m'], 'the oldest next is promoted first')
  t.same(planKeys([], opts), { current: null, extraCurrents: [], next: null, toRetire: [], live: [], rotationDue: false })
})

t.test('rotation is due once the current key has signed for the period', async t => {
  const keys = [key('a', 'current', { activatedAt: at(0) })]
  t.equal(planKeys(keys, { ...opts, rotateAfterMs: 30 * 60_000 }).rotationDue, true)
  t.equal(planKeys(keys, { ...opts, rotateAfterMs: 31 * 60_000 }).rotationDue, false)
})

t.test('keys, and a token header read without trusting it', async t => {
  const es = generateSigningKey('ES256')
  t.match(es.publicJwk, { kty: 'EC', crv: 'P-256', x: /./, y: /./, kid: es.kid, alg: 'ES256', use: 'sig' })
  t.notOk('d' in es.publicJwk, 'the public half only')
  t.match(es.privatePem, /^-----BEGIN PRIVATE KEY-----/)
  t.match(generateSigningKey('EdDSA').publicJwk, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })
  t.not(generateSigningKey('ES256').kid, es.kid)
  const b64 = (v: string) => Buffer.from(v).toString('base64url')
  t.same(peekHeader(`${b64('{"alg":"ES256","kid":"k"}')}.x.y`), { alg: 'ES256', kid: 'k' })
  for (const bad of ['garbage', '.x.y', `${b64('1')}.x.y`, `${b64('null')}.x.y`, `${b64('{not json')}.x.y`]) t.equal(peekHeader(bad), null, bad)
})
