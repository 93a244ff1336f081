import t from 'tap'
import { build, buildWithLogs, PASSWORD, registerBearer, uniqueEmail } from './helper.js'

t.test('health', async t => {
  const app = await build(t)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('health is 503 when the database is gone', async t => {
  const app = await build(t)
  await app.mongo.close()
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  t.same(res.json(), { status: 'unavailable' })
})

t.test('unknown route → 404 with a code', async t => {
  const app = await build(t)
  const res = await app.inject('/nope')
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'NOT_FOUND')
})

t.test('malformed JSON, oversized body and wrong content type are 4xx with a code', async t => {
  const app = await build(t, { BODY_LIMIT: 2048 })
  const malformed = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' })
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json(), { code: /^FST_ERR_CTP_/ })
  const proto = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"admin": true}, "email": "a@b.co", "password": "x"}' })
  t.equal(proto.statusCode, 400, '__proto__ key rejected')
  t.ok(proto.json().code)
  const big = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'a@b.co', password: 'x'.repeat(4000) } })
  t.equal(big.statusCode, 413)
  t.equal(big.json().code, 'FST_ERR_CTP_BODY_TOO_LARGE')
  const text = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
  t.equal(text.statusCode, 415)
  t.equal(text.json().code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
})

t.test('global rate limit answers 429 with a code', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: 2 })
  const codes = []
  for (let i = 0; i < 3; i++) codes.push((await app.inject('/health')).statusCode)
  t.same(codes, [200, 200, 429])
  t.equal((await app.inject('/health')).json().code, 'AUTH_RATE_LIMITED')
})

t.test('security headers from helmet', async t => {
  const app = await build(t)
  const res = await app.inject('/health')
  const csp = String(res.headers['content-security-policy'])
  for (const d of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) t.ok(csp.includes(d), d)
  t.notOk(csp.includes('unsafe-inline'), 'no inline code anywhere but the docs')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'DENY')
  const docs = await app.inject('/docs/static/index.html')
  t.match(docs.headers['content-security-policy'], /script-src 'self'/, 'docs UI has its own policy')
  t.not(docs.headers['content-security-policy'], csp)
})

t.test('OpenAPI document lists every route with its error statuses', async t => {
  const app = await build(t)
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  const expected: Record<string, Record<string, string[]>> = {
    '/auth/register': { post: ['201', '400', '409', '413', '415', '429', '500'] },
    '/auth/login': { post: ['200', '400', '401', '413', '415', '429', '500'] },
    '/auth/refresh': { post: ['200', '400', '401', '409', '413', '415', '429', '500'] },
    '/auth/logout': { post: ['204', '400', '413', '415', '429', '500'] },
    '/users/me': { get: ['200', '401', '429', '500'] },
    '/health': { get: ['200', '429', '500', '503'] },
    '/auth/sessions': { get: ['200', '401', '429', '500'] },
    '/auth/sessions/{id}': { delete: ['204', '400', '401', '404', '429', '500'] },
    '/auth/logout-all': { post: ['204', '401', '429', '500'] },
    '/auth/password': { post: ['204', '400', '401', '413', '415', '429', '500'] },
    '/admin/users': { get: ['200', '400', '401', '403', '429', '500'] },
    '/admin/users/{id}/revoke-sessions': { post: ['204', '400', '401', '403', '404', '429', '500'] },
    '/admin/users/{id}/roles': { put: ['200', '400', '401', '403', '404', '413', '415', '429', '500'] },
    '/admin/audit': { get: ['200', '400', '401', '403', '429', '500'] }
  }
  const documented = Object.keys(doc.paths).filter(p => !p.startsWith('/docs')).sort()
  t.same(documented, Object.keys(expected).sort(), 'no route is undocumented or untested here')
  for (const [path, methods] of Object.entries(expected)) {
    for (const [method, statuses] of Object.entries(methods)) {
      const op = doc.paths[path]?.[method]
      t.ok(op, `${method} ${path} documented`)
      t.same(Object.keys(op?.responses ?? {}).sort(), statuses, `${method} ${path} statuses`)
      const err = op?.responses[statuses.find(s => s.startsWith('4'))!]
      if (err) t.same(Object.keys(err.content['application/json'].schema.properties).sort(), ['code', 'error', 'message', 'statusCode'], `${path} error schema`)
    }
  }
  t.ok(doc.paths['/auth/login'].post.requestBody, 'request schema documented')
  const docsUi = await app.inject('/docs/')
  t.equal(docsUi.statusCode, 200, 'Swagger UI served')
})

t.test('logs never carry passwords, hashes or tokens', async t => {
  const { app, logs } = await buildWithLogs(t)
  const email = uniqueEmail()
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })
  const session = await registerBearer(app)
  const refreshed = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer', authorization: `Bearer ${session.accessToken}` }, payload: { refreshToken: session.refreshToken } })
  await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong password' } })
  app.log.info({ password: PASSWORD, refreshToken: session.refreshToken, headers: { authorization: 'Bearer x' } }, 'deliberately logged secrets')
  const dump = JSON.stringify(logs)
  t.ok(logs.length > 5, 'logs were captured')
  const doc = await app.mongo.collection('users').findOne({ email })
  const secrets = [PASSWORD, 'wrong password', doc?.passwordHash, session.accessToken, session.refreshToken, refreshed.json().refreshToken,
    ...reg.cookies.map(c => c.value)]
  for (const secret of secrets) t.notOk(dump.includes(secret), 'secret absent from logs')
  t.ok(dump.includes('[redacted]'), 'redaction applied')
})
