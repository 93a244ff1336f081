import t from 'tap'
import { build, loginBearer, PASSWORD, refreshBearer, registerBearer } from '../helper.js'

const TOKEN = 'metrics-token-of-the-scraper-0123'
const scrape = (app: Awaited<ReturnType<typeof build>>, token = TOKEN) => app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })
/** The value of one sample line, e.g. `auth_logins_total{outcome="success"}`. */
const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, c => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)

t.test('without METRICS_TOKEN there is no /metrics', async t => {
  const app = await build(t)
  t.equal((await app.inject('/metrics')).statusCode, 404)
})

t.test('/metrics: Prometheus text for the token holder, counting what happened', async t => {
  const app = await build(t, { METRICS_TOKEN: TOKEN })
  t.same([(await app.inject('/metrics')).statusCode, (await app.inject('/metrics')).json().code], [401, 'AUTH_NO_TOKEN'])
  t.equal((await scrape(app, 'wrong-token-of-the-same-length-00')).json().code, 'AUTH_INVALID_TOKEN')

  const user = await registerBearer(app)
  await loginBearer(app, user.user.email)
  await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.user.email, password: `${PASSWORD}!` } })
  const rotated = (await refreshBearer(app, user.refreshToken)).json()
  await refreshBearer(app, user.refreshToken) // within the grace window: the same successor
  await refreshBearer(app, 'not-a-token')
  await refreshBearer(app, rotated.refreshToken)
  await refreshBearer(app, user.refreshToken) // an old generation, after the grace: reuse
  await app.inject({ url: `/users/me?token=${'x'.repeat(20)}`, headers: { authorization: `Bearer ${user.accessToken}` } })

  const res = await scrape(app)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  t.equal(sample(text, 'auth_logins_total{outcome="success"}'), 1)
  t.equal(sample(text, 'auth_logins_total{outcome="failure"}'), 1)
  t.equal(sample(text, 'auth_refreshes_total{outcome="rotate"}'), 2)
  t.equal(sample(text, 'auth_refreshes_total{outcome="grace"}'), 1)
  t.equal(sample(text, 'auth_refreshes_total{outcome="invalid"}'), 1)
  t.equal(sample(text, 'auth_refreshes_total{outcome="reuse"}'), 1)
  t.ok(sample(text, 'mail_total{event="queued"}') >= 1, 'the verification mail')
  t.equal(sample(text, 'password_hashes{state="queued"}'), 0)
  t.equal(sample(text, 'http_request_duration_seconds_count{route="/auth/login",method="POST",status="200"}'), 1)
  t.equal(sample(text, 'http_request_duration_seconds_count{route="/users/me",method="GET",status="200"}'), 1, 'by route pattern')
  t.notOk(text.includes('xxxxxxxx') || text.includes(user.accessToken) || text.includes(user.user.email), 'no URL, token or email in a label')
  t.match(text, /^process_cpu_seconds_total /m, 'and the process metrics')
})

t.test('every machine route answers with nosniff, a CSP and no-store, its refusals too', async t => {
  const app = await build(t, { METRICS_TOKEN: TOKEN })
  const user = await registerBearer(app)
  const answers = {
    'metrics 200': await scrape(app),
    'metrics 401': await app.inject('/metrics'),
    'verify 200': await app.inject({ url: '/auth/verify', headers: { authorization: `Bearer ${user.accessToken}` } }),
    'verify 401': await app.inject('/auth/verify'),
    'live 200': await app.inject('/health/live'),
    'ready 200': await app.inject('/health/ready'),
    'jwks 200': await app.inject('/.well-known/jwks.json')
  }
  for (const [name, res] of Object.entries(answers)) {
    t.equal(res.statusCode, Number(name.split(' ')[1]), `premise: ${name}`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${name}: nosniff`)
    t.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", `${name}: CSP`)
    t.equal(res.headers['cache-control'], name.startsWith('jwks') ? 'public, max-age=300' : 'no-store', `${name}: caching`)
  }
})
