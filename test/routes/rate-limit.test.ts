import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, buildWithLogs, PASSWORD, uniqueEmail } from '../helper.js'

/** Five logins whose X-Forwarded-For starts with a new address each time, as a client can write it. */
async function rotatingLogins (app: FastifyInstance): Promise<number[]> {
  const codes: number[] = []
  for (let i = 0; i < 5; i++) {
    // nginx's proxy_add_x_forwarded_for appends the address it saw; the client wrote the rest.
    const res = await app.inject({
      method: 'POST',
      url: '/auth/login',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': `198.51.100.${i + 1}, 203.0.113.9` },
      payload: { email: uniqueEmail(), password: PASSWORD }
    })
    codes.push(res.statusCode)
  }
  return codes
}

t.test('behind one proxy hop, a client cannot pick its own address with X-Forwarded-For', async t => {
  const app = await build(t, { TRUST_PROXY: '1', AUTH_RATE_LIMIT_MAX: 3 })
  t.same(await rotatingLogins(app), [401, 401, 401, 429, 429], 'the rotating leftmost value does not escape the auth budget')
  const ips = await app.mongo.collection('audit').distinct('ip', { type: 'login.failure' })
  t.same(ips, ['203.0.113.9'], 'the client is the entry the proxy added, not the proxy itself')
})

t.test('TRUST_PROXY=true trusts every hop: warned about in development', async t => {
  const { app, logs } = await buildWithLogs(t, { TRUST_PROXY: 'true', AUTH_RATE_LIMIT_MAX: 3 })
  t.ok(logs.some(l => l.level === 40 && /TRUST_PROXY=true trusts every X-Forwarded-For entry/.test(String(l.msg))), 'one warning line')
  t.same(await rotatingLogins(app), [401, 401, 401, 401, 401], 'the hole it leaves: each client picks its address')
})

t.test('a list of trusted proxies: the address before them is the client', async t => {
  const app = await build(t, { TRUST_PROXY: '127.0.0.1, 203.0.113.0/24', AUTH_RATE_LIMIT_MAX: 3 })
  t.same(await rotatingLogins(app), [401, 401, 401, 401, 401], 'both hops trusted: the leftmost is the client, as configured')
  const app2 = await build(t, { TRUST_PROXY: '127.0.0.1', AUTH_RATE_LIMIT_MAX: 3 })
  t.same(await rotatingLogins(app2), [401, 401, 401, 429, 429], 'one trusted: the untrusted hop is the client')
})
