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

t.test('refusals by the token check and the CSRF check count toward the per-IP limit, which runs first', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: 6 })
  const from = { remoteAddress: '198.51.100.20' }
  const codes: number[] = []
  for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/users/me', ...from })).statusCode)
  for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/users/me', headers: { authorization: 'Bearer not.a.token' }, ...from })).statusCode)
  t.same(codes, [401, 401, 401, 401, 401, 401], 'premise: six refusals by the token check')
  const noToken = await app.inject({ method: 'GET', url: '/users/me', ...from })
  t.equal(noToken.statusCode, 429, 'over its budget: 429, not the token check\'s 401')
  t.equal(noToken.json().code, 'AUTH_RATE_LIMITED')
  t.ok(Number(noToken.headers['retry-after']) > 0)
  const crossSite = await app.inject({ method: 'POST', url: '/auth/logout', headers: { origin: 'https://evil.test' }, ...from })
  t.equal(crossSite.statusCode, 429, 'a cross-site POST gets 429, not the CSRF check\'s 403')
  const unknown = await app.inject({ method: 'GET', url: '/no/such/route', ...from })
  t.equal(unknown.statusCode, 429, 'an unknown route too')
  const other = await app.inject({ method: 'GET', url: '/users/me', remoteAddress: '198.51.100.21' })
  t.equal(other.statusCode, 401, 'another address has its own budget')
  const probe = await app.inject({ method: 'GET', url: '/health/live', ...from })
  t.equal(probe.statusCode, 200, 'the routes machines call stay exempt')
})

t.test('CSRF refusals count toward the auth routes\' budget', async t => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: 2 })
  const from = { remoteAddress: '198.51.100.30' }
  const crossSite = () => app.inject({ method: 'POST', url: '/auth/login', headers: { origin: 'https://evil.test' }, payload: { email: uniqueEmail(), password: PASSWORD }, ...from })
  t.same([(await crossSite()).statusCode, (await crossSite()).statusCode], [403, 403], 'premise: refused by the CSRF check')
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD }, ...from })
  t.equal(login.statusCode, 429)
  t.equal(login.json().code, 'AUTH_RATE_LIMITED')
  t.ok(Number(login.headers['retry-after']) > 0)
})

t.test('in development a 429 names the setting to raise; in production it does not', async t => {
  const overLimit = async (overrides: Record<string, unknown>, url: string) => {
    const app = await build(t, overrides)
    let res
    for (let i = 0; i < 3; i++) res = await app.inject({ method: 'POST', url, payload: { email: uniqueEmail(), password: PASSWORD } })
    t.equal(res!.statusCode, 429)
    return res!.json().message as string
  }
  t.match(await overLimit({ AUTH_RATE_LIMIT_MAX: 2 }, '/auth/login'), /raise AUTH_RATE_LIMIT_MAX/)
  t.match(await overLimit({ RATE_LIMIT_MAX: 2 }, '/auth/logout'), /raise RATE_LIMIT_MAX/)
  const production = { NODE_ENV: 'production', MONGO_URL: 'mongodb://127.0.0.1/unused', REFRESH_TOKEN_SECRET: 'r'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:25', AUTH_RATE_LIMIT_MAX: 2 }
  t.notMatch(await overLimit(production, '/auth/login'), /raise/, 'production names no setting')
})
