import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { BEARER, buildWithLogs, newDbName, refreshBearer, registerBearer } from '../helper.js'
import { skipWithoutRedis, startRedis } from '../redis.js'

const from = (ip: string) => ({ remoteAddress: ip })

/** Two instances of one deployment: one database, one Redis. */
async function pair (t: { teardown: (fn: () => unknown) => void }, overrides: Record<string, unknown> = {}) {
  const redis = await startRedis()
  t.teardown(() => redis.stop())
  const dbName = newDbName()
  // Every instance of a deployment has the same ENCRYPTION_KEY (it seals the shared signing keys).
  const shared = { REDIS_URL: redis.url, ENCRYPTION_KEY: 'the deployment encryption key, 32+ chars', ...overrides }
  const a = await buildWithLogs(t, shared, { dbName })
  const b = await buildWithLogs(t, shared, { dbName })
  return { redis, a: a.app, b: b.app, logsA: a.logs }
}

t.test('two instances on one Redis: the per-IP limits count across both', { skip: skipWithoutRedis }, async t => {
  const { a, b } = await pair(t, { RATE_LIMIT_MAX: 4, AUTH_RATE_LIMIT_MAX: 2 })
  const codes = []
  for (const app of [a, b, a, b, a]) codes.push((await app.inject({ url: '/health', ...from('10.1.0.1') })).statusCode)
  t.same(codes, [200, 200, 200, 200, 429], 'four requests over both instances, then the fifth is refused')
  t.equal((await b.inject({ url: '/health', ...from('10.1.0.2') })).statusCode, 200, 'another IP has its own count')
  const auth = []
  for (const app of [a, b, a]) auth.push((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'x@example.com', password: 'whatever it is' }, ...from('10.1.0.3') })).statusCode)
  t.same(auth, [401, 401, 429], 'the auth routes budget too')
})

t.test('two instances: a session made on one refreshes on the other, is revoked from the first, and races converge', { skip: skipWithoutRedis }, async t => {
  const { a, b } = await pair(t)
  const session = await registerBearer(a)
  const onB = await refreshBearer(b, session.refreshToken)
  t.equal(onB.statusCode, 200, 'made on A, refreshed on B')
  const sid = (await a.inject({ url: '/auth/sessions', headers: { authorization: `Bearer ${onB.json().accessToken}` } })).json().sessions[0].id
  t.equal((await a.inject({ method: 'DELETE', url: `/auth/sessions/${sid}`, headers: { authorization: `Bearer ${onB.json().accessToken}` } })).statusCode, 204, 'revoked on A')
  t.same([(await refreshBearer(b, onB.json().refreshToken)).json().code], ['AUTH_INVALID_REFRESH_TOKEN'], 'and B refuses it')

  const racer = await registerBearer(b)
  const apps: FastifyInstance[] = [a, b]
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => refreshBearer(apps[i % 2]!, racer.refreshToken)))
  t.same([...new Set(answers.map(r => r.statusCode))], [200], '50 concurrent refreshes over both instances all succeed')
  const successors = new Set(answers.map(r => r.json().refreshToken))
  t.equal(successors.size, 1, 'with one successor: one lineage')
  t.equal((await refreshBearer(a, [...successors][0])).statusCode, 200, 'which refreshes on')
})

t.test('Redis down: the limits fail open with one warning, /health/ready says so, and it comes back', { skip: skipWithoutRedis }, async t => {
  const { redis, a, logsA } = await pair(t, { RATE_LIMIT_MAX: 2 })
  t.same((await a.inject('/health/ready')).json(), { status: 'ok', checks: { database: 'ok', redis: 'ok' } })
  await redis.stop()
  const warned = () => logsA.filter(l => String(l.msg).startsWith('REDIS_URL: Redis is unreachable')).length
  while (warned() === 0) await sleep(20)
  const codes = []
  for (let i = 0; i < 4; i++) codes.push((await a.inject({ url: '/health', ...from('10.2.0.1') })).statusCode)
  t.same(codes, [200, 200, 200, 200], 'no Redis, no limit: requests pass rather than fail')
  const ready = await a.inject('/health/ready')
  t.same([ready.statusCode, ready.json()], [503, { status: 'unavailable', checks: { database: 'ok', redis: 'down' } }])
  t.equal(warned(), 1, 'one warning for the outage, not one per request')
  t.equal((await a.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: 'y@example.com', password: 'whatever it is' } })).statusCode, 401, 'logins still work (the account lock is in MongoDB)')
})
