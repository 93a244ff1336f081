import t from 'tap'
import { build, cookie, PASSWORD, uniqueEmail } from '../helper.js'

const APP = 'https://app.example.com'

t.test('cookie-authenticated writes must come from this origin or ALLOWED_ORIGINS', async t => {
  const app = await build(t, { ALLOWED_ORIGINS: APP })
  const reg = await app.inject({ method: 'POST', url: '/auth/register', headers: { origin: APP }, payload: { email: uniqueEmail(), password: PASSWORD } })
  t.equal(reg.statusCode, 201, 'register from the allowed origin')
  const rt = cookie(reg, 'refresh')!
  const cookies = { [rt.name]: rt.value }

  const evil = await app.inject({ method: 'POST', url: '/auth/logout', headers: { origin: 'https://evil.example' }, cookies })
  t.equal(evil.statusCode, 403)
  t.same(evil.json(), { statusCode: 403, code: 'AUTH_CSRF_FAILED', error: 'Forbidden', message: 'Cross-site request refused: origin not allowed' })
  t.equal(evil.cookies.length, 0, 'the session is not cleared')

  const crossSite = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'sec-fetch-site': 'cross-site' }, cookies })
  t.equal(crossSite.json().code, 'AUTH_CSRF_FAILED', 'Fetch Metadata without Origin')
  const foreignReferer = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { referer: 'https://evil.example/x' }, cookies })
  t.equal(foreignReferer.json().code, 'AUTH_CSRF_FAILED', 'Referer fallback')

  const loginCsrf = await app.inject({ method: 'POST', url: '/auth/login', headers: { origin: 'https://evil.example' }, payload: { email: uniqueEmail(), password: PASSWORD } })
  t.equal(loginCsrf.json().code, 'AUTH_CSRF_FAILED', 'login CSRF is refused too')

  const sameOrigin = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { origin: 'http://localhost:80' }, cookies })
  t.equal(sameOrigin.statusCode, 200, 'same origin passes')
  const next = cookie(sameOrigin, 'refresh')!
  const allowed = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { origin: APP }, cookies: { [next.name]: next.value } })
  t.equal(allowed.statusCode, 200, 'allowed origin passes')
})

t.test('bearer clients are not subject to the origin check', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/auth/register', headers: { origin: 'https://evil.example', 'x-auth-mode': 'bearer' }, payload: { email: uniqueEmail(), password: PASSWORD } })
  t.equal(res.statusCode, 201)
  const { accessToken } = res.json()
  const logoutAll = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: { origin: 'https://evil.example', authorization: `Bearer ${accessToken}` } })
  t.equal(logoutAll.statusCode, 204, 'Authorization header: no CSRF exposure')
})

t.test('CORS: credentials only for ALLOWED_ORIGINS', async t => {
  const app = await build(t, { ALLOWED_ORIGINS: APP })
  const preflight = (origin: string) => app.inject({ method: 'OPTIONS', url: '/auth/login', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  const ok = await preflight(APP)
  t.equal(ok.headers['access-control-allow-origin'], APP)
  t.equal(ok.headers['access-control-allow-credentials'], 'true')
  const evil = await preflight('https://evil.example')
  t.equal(evil.headers['access-control-allow-origin'], undefined)
  const none = await build(t)
  const noCors = await none.inject({ method: 'GET', url: '/health', headers: { origin: APP } })
  t.equal(noCors.headers['access-control-allow-origin'], undefined, 'no origins configured: no CORS')
})

t.test('ALLOWED_ORIGINS must be origins', async t => {
  await t.rejects(build(t, { ALLOWED_ORIGINS: 'https://app.example.com/path' }), /must be an origin/)
  await t.rejects(build(t, { ALLOWED_ORIGINS: 'app.example.com' }), /not an origin|must be an origin/)
})
