import { once } from 'node:events'
import { connect, type AddressInfo } from 'node:net'
import Fastify, { type InjectOptions } from 'fastify'
import t from 'tap'
import configPlugin from '../plugins/app/config.js'
import helmetPlugin from '../plugins/external/helmet.js'
import { UI_PAGES } from '../plugins/external/static.js'
import { loadConfig } from '../src/config.js'
import { startEmbeddedMongo } from '../src/embedded-mongo.js'
import { build, buildWithLogs, cookie, me, PASSWORD, registerBearer, uniqueEmail } from './helper.js'
import { startSmtpSink, tokenIn } from './smtp.js'

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

t.test('probes: live touches nothing, ready names what is down, neither is rate limited', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: 1 })
  for (let i = 0; i < 3; i++) {
    t.same((await app.inject('/health/live')).json(), { status: 'ok' })
    const ready = await app.inject('/health/ready')
    t.same([ready.statusCode, ready.json()], [200, { status: 'ok', checks: { database: 'ok' } }])
    t.equal(ready.headers['cache-control'], 'no-store')
  }
  await app.mongo.close()
  t.equal((await app.inject('/health/live')).statusCode, 200, 'live while the process runs')
  const down = await app.inject('/health/ready')
  t.same([down.statusCode, down.json()], [503, { status: 'unavailable', checks: { database: 'down' } }])
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
  t.equal(res.headers['cache-control'], 'no-store', 'API responses are never cached')
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'x-auth-mode': 'bearer' }, payload: { email: uniqueEmail(), password: PASSWORD } })
  t.equal(login.headers['cache-control'], 'no-store', 'error and token responses too')
  t.match((await app.inject('/client.js')).headers['cache-control'], /max-age=300/, 'static files keep their own caching')
  const docs = await app.inject('/docs/static/index.html')
  t.match(docs.headers['content-security-policy'], /script-src 'self'/, 'docs UI has its own policy')
  t.not(docs.headers['content-security-policy'], csp)
})

t.test('errors carry the headers of their route: CSRF refusals, 429s, /auth/verify failures, the docs', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: 3 })
  const csrf = await app.inject({ method: 'POST', url: '/auth/login', headers: { origin: 'https://evil.example' }, payload: {} })
  t.equal(csrf.json().code, 'AUTH_CSRF_FAILED')
  t.match(csrf.headers, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, 'a CSRF refusal')
  const verify = await app.inject('/auth/verify')
  t.equal(verify.statusCode, 401)
  t.match(verify.headers, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" }, 'a failed /auth/verify')
  t.match((await app.inject('/docs/')).headers, { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' }, 'the docs')
  let limited
  for (let i = 0; i < 5; i++) limited = await app.inject('/health')
  t.equal(limited!.statusCode, 429)
  t.match(limited!.headers, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, 'a 429')
})

t.test('the helmet plugin: the policy on every route, and a route\'s own helmet option still wins', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(configPlugin, { config: loadConfig({}) })
  await app.register(helmetPlugin)
  app.get('/default', async () => ({}))
  app.get('/off', { helmet: false }, async () => ({}))
  app.get('/own', { helmet: { frameguard: { action: 'sameorigin' } } }, async () => ({}))
  app.get('/reply', async (_request, reply) => {
    await reply.helmet({ frameguard: { action: 'sameorigin' } })
    return {}
  })
  for (let i = 0; i < 2; i++) {
    const res = await app.inject('/default')
    t.equal(res.headers['x-frame-options'], 'DENY', `request ${i + 1}: the policy, built once, applies every time`)
    t.match(res.headers['content-security-policy'], /^default-src 'none';/)
  }
  const off = await app.inject('/off')
  t.equal(off.headers['x-frame-options'], undefined, 'helmet: false turns the headers off')
  t.equal(off.headers['content-security-policy'], undefined)
  const own = await app.inject('/own')
  t.equal(own.headers['x-frame-options'], 'SAMEORIGIN', "a route's helmet option replaces the policy's setting")
  t.match(own.headers['content-security-policy'], /frame-ancestors 'none'/, '…and keeps the rest of the policy')
  t.equal((await app.inject('/reply')).headers['x-frame-options'], 'SAMEORIGIN', 'reply.helmet() still works')
  t.equal((await app.inject('/missing')).headers['x-frame-options'], 'DENY', 'a 404 gets the policy too')
})

t.test('OpenAPI document lists every route with its statuses, an operationId, and its error codes', async t => {
  const app = await build(t)
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  const expected: Record<string, Record<string, [string, string[]]>> = {
    '/auth/register': { post: ['register', ['201', '202', '400', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/login': { post: ['login', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/password/forgot': { post: ['forgotPassword', ['202', '400', '403', '413', '415', '429', '500', '503']] },
    '/auth/password/reset': { post: ['resetPassword', ['204', '400', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/email/verify': { post: ['verifyEmail', ['200', '400', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/email/verification': { post: ['resendVerificationEmail', ['202', '400', '401', '403', '429', '500', '503']] },
    '/auth/mfa/verify': { post: ['verifyMfa', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/mfa/totp': { post: ['enrolTotp', ['201', '400', '401', '403', '409', '429', '500', '503']] },
    '/auth/mfa/totp/{factorId}/activate': { post: ['activateTotp', ['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503']] },
    '/auth/mfa': { get: ['getMfaStatus', ['200', '400', '401', '429', '500', '503']] },
    '/auth/mfa/totp/{factorId}': { delete: ['removeTotp', ['204', '400', '401', '403', '404', '413', '415', '429', '500', '503']] },
    '/auth/mfa/recovery-codes': { post: ['replaceRecoveryCodes', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/admin/users/{id}/mfa': { delete: ['adminResetMfa', ['204', '400', '401', '403', '404', '429', '500', '503']] },
    '/auth/oidc/providers': { get: ['listOidcProviders', ['200', '429', '500', '503']] },
    '/auth/oidc/{provider}/start': { get: ['startOidc', ['302', '400', '401', '403', '404', '429', '500', '503']] },
    '/auth/oidc/{provider}/callback': { get: ['oidcCallback', ['302', '404', '429', '500', '503']] },
    '/auth/oidc/{provider}/id-token': { post: ['signInWithIdToken', ['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '502', '503']] },
    '/users/me/identities': { get: ['listIdentities', ['200', '400', '401', '429', '500', '503']] },
    '/users/me/identities/{id}': { delete: ['unlinkIdentity', ['204', '400', '401', '403', '404', '409', '429', '500', '503']] },
    '/auth/passkeys/register/options': { post: ['passkeyRegistrationOptions', ['200', '400', '401', '403', '413', '415', '429', '500', '503']] },
    '/auth/passkeys/register/verify': { post: ['registerPasskey', ['201', '400', '401', '403', '413', '415', '429', '500', '503']] },
    '/auth/passkeys/login/options': { post: ['passkeyLoginOptions', ['200', '400', '403', '413', '415', '429', '500', '503']] },
    '/auth/passkeys/login/verify': { post: ['signInWithPasskey', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/users/me/passkeys': { get: ['listPasskeys', ['200', '400', '401', '429', '500', '503']] },
    '/users/me/passkeys/{id}': {
      patch: ['renamePasskey', ['200', '400', '401', '403', '404', '413', '415', '429', '500', '503']],
      delete: ['removePasskey', ['204', '400', '401', '403', '404', '409', '429', '500', '503']]
    },
    '/users/me/email': { post: ['changeEmail', ['202', '400', '401', '403', '413', '415', '429', '500', '503']] },
    '/auth/refresh': { post: ['refreshSession', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/logout': { post: ['logout', ['204', '400', '403', '413', '415', '429', '500', '503']] },
    '/users/me': {
      get: ['getCurrentUser', ['200', '400', '401', '429', '500', '503']],
      patch: ['updateProfile', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']]
    },
    '/auth/session': { get: ['getSession', ['200', '400', '429', '500', '503']] },
    '/users/me/delete': { post: ['deleteAccount', ['204', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/users/me/export': { get: ['exportAccount', ['200', '400', '401', '429', '500', '503']] },
    '/auth/verify': { get: ['verifyToken', ['200', '400', '401', '429', '500', '503']] },
    '/health': { get: ['getHealth', ['200', '429', '500', '503']] },
    '/health/live': { get: ['getLiveness', ['200', '429', '500', '503']] },
    '/health/ready': { get: ['getReadiness', ['200', '429', '500', '503']] },
    '/auth/sessions': { get: ['listSessions', ['200', '400', '401', '429', '500', '503']] },
    '/auth/sessions/{id}': { delete: ['revokeSession', ['204', '400', '401', '403', '404', '409', '429', '500', '503']] },
    '/auth/logout-all': { post: ['logoutAll', ['204', '400', '401', '403', '409', '429', '500', '503']] },
    '/auth/reauthenticate': { post: ['reauthenticate', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/reauthenticate/passkey/options': { post: ['reauthenticatePasskeyOptions', ['200', '400', '401', '403', '413', '415', '429', '500', '503']] },
    '/auth/reauthenticate/passkey/verify': { post: ['reauthenticatePasskey', ['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/auth/password': { post: ['changePassword', ['204', '400', '401', '403', '409', '413', '415', '429', '500', '503']] },
    '/admin/users': { get: ['adminListUsers', ['200', '400', '401', '403', '429', '500', '503']] },
    '/admin/users/{id}': { delete: ['adminDeleteUser', ['204', '400', '401', '403', '404', '409', '429', '500', '503']] },
    '/admin/users/{id}/disable': { post: ['adminDisableUser', ['204', '400', '401', '403', '404', '409', '429', '500', '503']] },
    '/admin/users/{id}/enable': { post: ['adminEnableUser', ['204', '400', '401', '403', '404', '409', '429', '500', '503']] },
    '/admin/users/{id}/revoke-sessions': { post: ['adminRevokeUserSessions', ['204', '400', '401', '403', '404', '409', '429', '500', '503']] },
    '/admin/users/{id}/roles': { put: ['adminSetUserRoles', ['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503']] },
    '/.well-known/jwks.json': { get: ['getJwks', ['200', '429', '500', '503']] },
    '/admin/signing-keys': { get: ['adminListSigningKeys', ['200', '400', '401', '403', '429', '500', '503']] },
    '/admin/signing-keys/rotate': { post: ['adminRotateSigningKeys', ['200', '400', '401', '403', '429', '500', '503']] },
    '/admin/audit': { get: ['adminListAuditEvents', ['200', '400', '401', '403', '429', '500', '503']] }
  }
  const documented = Object.keys(doc.paths).sort()
  t.same(documented, Object.keys(expected).sort(), 'no route is undocumented or untested here (the UI and static files are not API)')
  t.same(doc.servers, [{ url: 'http://localhost:3000' }], 'servers from PUBLIC_URL (default http://localhost:PORT)')
  t.equal(doc.components.securitySchemes.cookieAuth.name, '__Host-access_token', 'the real cookie name')
  for (const [path, methods] of Object.entries(expected)) {
    for (const [method, [operationId, statuses]] of Object.entries(methods)) {
      const op = doc.paths[path]?.[method]
      t.equal(op?.operationId, operationId, `${method} ${path} operationId`)
      t.ok(op.tags?.length && op.summary, `${operationId}: tags and summary`)
      t.ok(Array.isArray(op.security), `${operationId}: security declared`)
      t.same(Object.keys(op.responses).sort(), statuses, `${operationId} statuses`)
      for (const [status, response] of Object.entries(op.responses) as Array<[string, { description?: string, content?: Record<string, { schema: Record<string, unknown> }> }]>) {
        t.ok(response.description && response.description !== 'Default Response', `${operationId} ${status} described`)
        if (status < '400' || (['getHealth', 'getReadiness'].includes(operationId) && status === '503')) continue
        const schema = response.content?.['application/json']?.schema as { allOf: Array<{ $ref?: string, properties?: { code: { enum: string[] } } }> }
        t.equal(schema.allOf[0]?.$ref, '#/components/schemas/Error', `${operationId} ${status}: the Error schema`)
        t.ok(schema.allOf[1]?.properties?.code.enum.length, `${operationId} ${status}: its codes`)
      }
    }
  }
  t.same(doc.paths['/auth/login'].post.responses['401'].content['application/json'].schema.allOf[1].properties.code.enum, ['AUTH_INVALID_CREDENTIALS', 'AUTH_MFA_REQUIRED'])
  t.same(doc.paths['/auth/login'].post.responses['401'].content['application/json'].schema.allOf[1].properties.mfa, { $ref: '#/components/schemas/MfaChallenge' }, 'with its mfa object')
  t.same(doc.paths['/users/me'].get.responses['401'].content['application/json'].schema.allOf[1].properties.code.enum, ['AUTH_INVALID_TOKEN', 'AUTH_NO_TOKEN', 'AUTH_TOKEN_EXPIRED'])
  t.equal(doc.paths['/auth/refresh'].post.requestBody.required, false, 'cookie clients send no body')
  t.equal(doc.paths['/auth/login'].post.requestBody.required, true)
  t.same(doc.paths['/auth/login'].post.responses['200'].content['application/json'].schema.discriminator.propertyName, 'tokenType')
  t.notOk(JSON.stringify(doc).includes('x-body-optional'), 'no internal marker left')
  const docsUi = await app.inject('/docs/')
  t.equal(docsUi.statusCode, 200, 'Swagger UI served')
})

t.test('a full flow leaks no password, hash or token into logs or into bodies not meant to carry them', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const { app, logs } = await buildWithLogs(t, { ADMIN_EMAILS: 'root@example.com', LOG_LEVEL: 'trace', SMTP_URL: smtp.url })
  const NEW_PASSWORD = 'a brand new password'
  const bodies: string[] = []
  const call = async (opts: InjectOptions, carriesTokens = false) => {
    const res = await app.inject(opts)
    if (!carriesTokens) bodies.push(res.body)
    return res
  }
  const email = uniqueEmail()
  const reg = await call({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })
  const registered = (await call({ method: 'POST', url: '/auth/register', headers: { 'x-auth-mode': 'bearer' }, payload: { email: 'root@example.com', password: PASSWORD } }, true)).json()
  // ADMIN_EMAILS makes root admin once the address is proven by its signed-in owner; the next token carries the role.
  await call({ method: 'POST', url: '/auth/email/verify', headers: { authorization: `Bearer ${registered.accessToken}` }, payload: { token: tokenIn(await smtp.mailTo('root@example.com', /confirm your email/), 'verify-email') } })
  const admin = (await call({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer' }, payload: { refreshToken: registered.refreshToken } }, true)).json()
  t.same(admin.user.roles, ['user', 'admin'])
  const s1 = (await call({ method: 'POST', url: '/auth/login', headers: { 'x-auth-mode': 'bearer' }, payload: { email, password: PASSWORD } }, true)).json()
  const s2 = (await call({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer' }, payload: { refreshToken: s1.refreshToken } }, true)).json()
  const bearer = { authorization: `Bearer ${s2.accessToken}` }
  await call({ method: 'GET', url: '/users/me', headers: bearer })
  await call({ method: 'GET', url: '/auth/sessions', headers: bearer })
  await call({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong password' } })
  await call({ method: 'POST', url: '/auth/password', headers: bearer, payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })
  // The predecessor within the grace window gets the successor again: a body meant to carry it.
  await call({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer' }, payload: { refreshToken: s1.refreshToken } }, true)
  await call({ method: 'GET', url: '/admin/users?limit=100', headers: { authorization: `Bearer ${admin.accessToken}` } })
  await call({ method: 'GET', url: '/admin/audit?limit=100', headers: { authorization: `Bearer ${admin.accessToken}` } })
  const rt = cookie(reg, 'refresh')!
  await call({ method: 'POST', url: '/auth/logout', cookies: { [rt.name]: rt.value } })
  const doc = await app.mongo.collection('users').findOne({ email })
  const verifyToken = tokenIn(await smtp.mailTo(email, /confirm your email/), 'verify-email')
  await call({ method: 'POST', url: '/auth/email/verify', payload: { token: verifyToken } })
  await call({ method: 'POST', url: '/auth/password/forgot', payload: { email } })
  const resetToken = tokenIn(await smtp.mailTo(email, /reset your password/), 'reset-password')
  const RESET_PASSWORD = 'the password set by a reset'
  await call({ method: 'POST', url: '/auth/password/reset', payload: { token: resetToken, newPassword: RESET_PASSWORD } })
  await call({ method: 'POST', url: '/auth/password/reset', payload: { token: resetToken, newPassword: RESET_PASSWORD } })
  const resetHash = (await app.mongo.collection('one_time_tokens').findOne({ purpose: 'password_reset' }))?.tokenHash
  const afterReset = await app.mongo.collection('users').findOne({ email })
  app.log.info({ password: PASSWORD, refreshToken: s1.refreshToken, headers: { authorization: 'Bearer x' } }, 'deliberately logged secrets')
  app.log.info({ body: { newPassword: NEW_PASSWORD }, user: { passwordHash: doc?.passwordHash }, err: { token: s2.accessToken } }, 'deliberately logged nested secrets')

  const secrets: Record<string, string> = {
    password: PASSWORD,
    'new password': NEW_PASSWORD,
    'wrong password': 'wrong password',
    'password hash': doc?.passwordHash,
    'argon2 hash prefix': '$argon2id$',
    'session token hash': doc?.sessions[0]?.tokenHash,
    'first access token': s1.accessToken,
    'first refresh token': s1.refreshToken,
    'rotated refresh token': s2.refreshToken,
    'admin access token': admin.accessToken,
    'verification token': verifyToken,
    'reset token': resetToken,
    'reset token hash': resetHash,
    'password set by the reset': RESET_PASSWORD,
    'its hash': afterReset?.passwordHash,
    ...Object.fromEntries(reg.cookies.map(c => [`cookie ${c.name}`, c.value]))
  }
  const logDump = JSON.stringify(logs)
  const bodyDump = bodies.join('\n')
  t.ok(logs.length > 20, `${logs.length} log lines captured`)
  for (const [name, secret] of Object.entries(secrets)) {
    t.ok(secret && secret.length > 8, `${name} is a real value`)
    t.notOk(logDump.includes(secret), `${name} not in logs`)
    t.notOk(bodyDump.includes(secret), `${name} not in response bodies`)
  }
  t.ok(logDump.includes('[redacted]'), 'redaction applied')
})

t.test('the account UI and the browser client are served under the strict CSP', async t => {
  const app = await build(t, { APP_NAME: 'Acme "<Accounts>" & Co' })
  const root = await app.inject('/')
  t.same([root.statusCode, root.headers.location], [302, '/account'], '/ goes to the account (which asks a visitor to sign in)')
  for (const path of UI_PAGES) {
    const page = await app.inject(path)
    t.equal(page.statusCode, 200, path)
    t.match(page.headers['content-type'], /^text\/html/)
    t.match(page.headers['content-security-policy'], /script-src 'self'/)
    t.match(page.body, /<script type="module" src="\/ui.js">/)
    t.match(page.body, /<title>Acme &#34;&#60;Accounts&#62;&#34; &#38; Co<\/title>/, 'APP_NAME, escaped')
    t.notOk(/<script>|<style>| on[a-z]+=| style=/i.test(page.body), 'no inline script, style or handler (CSP-compatible)')
  }
  t.equal((await app.inject('/account/')).statusCode, 404, 'one address per page')
  t.equal((await app.inject('/app.html')).statusCode, 404, 'the shell only through the pages')
  const client = await app.inject('/client.js')
  t.equal(client.statusCode, 200)
  t.match(client.headers['content-type'], /javascript/)
  t.match(client.body, /export function createAuthClient/)
  for (const file of ['/ui.js', '/ui-lib.js', '/messages.js', '/ui.css', '/pages/sign-in.js', '/pages/security.js']) {
    t.equal((await app.inject(file)).statusCode, 200, file)
  }
  t.equal((await app.inject('/../package.json')).statusCode, 404, 'nothing outside public/')
})

t.test('UI_LOGO_URL: a logo in every page\'s header, APP_NAME its alt text, allowed by the CSP', async t => {
  const remote = await build(t, { APP_NAME: 'Acme', UI_LOGO_URL: 'https://cdn.example.test/acme.svg' })
  for (const path of ['/login', '/account/security']) {
    const page = await remote.inject(path)
    t.match(page.body, '<a class="brand" href="/account"><img src="https://cdn.example.test/acme.svg" alt="Acme"></a>', path)
    t.match(page.headers['content-security-policy'], /img-src 'self' data: https:\/\/cdn\.example\.test;/, `${path}: that origin's images, and no other`)
  }
  const local = await build(t, { APP_NAME: 'Acme', UI_LOGO_URL: '/logo.svg' })
  const page = await local.inject('/login')
  t.match(page.body, '<img src="/logo.svg" alt="Acme">')
  t.match(page.headers['content-security-policy'], /img-src 'self' data:;/, 'a path here needs nothing more')
  const plain = await build(t, { APP_NAME: 'Acme' })
  t.match((await plain.inject('/login')).body, '<a class="brand" href="/account">Acme</a>', 'no logo: the name')
  for (const bad of ['http://cdn.example.test/a.png', '//evil.test/a.png', 'javascript:alert(1)', '/a" onerror="x']) {
    t.throws(() => loadConfig({ UI_LOGO_URL: bad }), { message: /UI_LOGO_URL must be an https:\/\/ URL or a path/ }, bad)
  }
})

t.test('a database outage is a 503 with a code, never a 500, logged without secrets', async t => {
  const mongo = await startEmbeddedMongo()
  const { app, logs } = await buildWithLogs(t, {}, { mongo })
  const { accessToken, refreshToken } = await registerBearer(app)
  await mongo.stop()
  const unavailable = { statusCode: 503, code: 'SERVICE_UNAVAILABLE', error: 'Service Unavailable', message: 'The database is unavailable; retry shortly' }
  // At once: each waits for the driver's server selection to time out.
  const [login, profile, refresh] = await Promise.all([
    app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD } }),
    me(app, accessToken),
    app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer' }, payload: { refreshToken } })
  ])
  t.equal(login.statusCode, 503, 'login')
  t.same(login.json(), unavailable, 'no internals in the body')
  t.same([profile.statusCode, profile.json()], [503, unavailable], 'a profile read')
  t.same([refresh.statusCode, refresh.json().code], [503, 'SERVICE_UNAVAILABLE'], 'a refresh')
  const errorLines = logs.filter(l => l.level === 50)
  t.ok(errorLines.length >= 3, 'logged at error level')
  t.same(errorLines.filter(l => l.msg !== 'database unavailable' && l.msg !== 'mail delivery round failed').map(l => l.msg), [], 'each with the driver error, and no lockout audited for an outage')
  t.notOk(JSON.stringify(logs).includes(PASSWORD), 'without the password')
  await app.mongo.close() // nothing to drop in teardown
})

t.test('any other failure is a generic 500 with a code', async t => {
  const { app, logs } = await buildWithLogs(t)
  const { accessToken } = await registerBearer(app)
  app.accountService.getUser = async () => { throw new Error('boom: internal detail') }
  const res = await me(app, accessToken)
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'INTERNAL_ERROR', error: 'Internal Server Error', message: 'Internal server error' })
  t.ok(logs.some(l => l.level === 50 && l.msg === 'request failed'), 'logged at error level')
})

t.test('a request that trickles in is cut off at REQUEST_TIMEOUT with a 408', async t => {
  const app = await build(t, { REQUEST_TIMEOUT: '1s' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  // Headers, and ten bytes of a hundred-byte body; then nothing.
  socket.write('POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":')
  let answer = ''
  socket.on('data', chunk => { answer += String(chunk) })
  await once(socket, 'close')
  t.match(answer, /^HTTP\/1\.1 408 /, 'the server answered 408 and closed the connection')
})
