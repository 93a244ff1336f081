import { createSigner } from 'fast-jwt'
import type { FastifyInstance, InjectOptions } from 'fastify'
import t from 'tap'
import { ACCESS_SECRET, BEARER, build, PASSWORD, registerBearer, registerAdmin } from '../helper.js'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** Everything a user could change, to prove hostile requests changed none of it. */
async function snapshot (app: FastifyInstance) {
  const [users, claims] = await Promise.all([
    app.mongo.collection('users').find().sort({ _id: 1 }).toArray(),
    app.mongo.collection('email_claims').find().sort({ _id: 1 }).toArray()
  ])
  return JSON.stringify({ users, claims })
}

function assertClientError (t: { ok: (v: unknown, m: string) => void, type: (v: unknown, ty: string, m: string) => void }, res: { statusCode: number, body: string }, name: string) {
  t.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: 4xx (got ${res.statusCode})`)
  let code: unknown
  try { code = JSON.parse(res.body).code } catch { code = undefined }
  t.type(code, 'string', `${name}: has a code`)
}

t.test('hostile bodies, tokens, cookies and headers at every route: 4xx with a code, nothing changed', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app, 'root@example.com')
  const victim = await registerBearer(app)
  const before = await snapshot(app)

  const long = 'x'.repeat(20_000)
  const operators = [{ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: 'sleep(1000)' }]
  const badBodies: unknown[] = [
    {}, [], [{}], 'string', 42, null,
    { email: 1, password: true, currentPassword: [], newPassword: {}, refreshToken: 7, roles: 'admin', token: 3, newEmail: [], code: 5, mfaToken: {} },
    { email: long, password: long, currentPassword: long, newPassword: long, refreshToken: long, roles: [long], token: long, newEmail: long, code: long, mfaToken: long },
    { email: 'a\u0000@b.co', password: PASSWORD, currentPassword: 'x', newPassword: 'short', refreshToken: '', roles: ['root'], token: '', newEmail: 'a\u0000@b.co', code: '', mfaToken: '' },
    ...operators.map(op => ({ email: op, password: op, currentPassword: op, newPassword: op, refreshToken: op, roles: [op], token: op, newEmail: op, code: op, mfaToken: op })),
    { roles: ['admin', 'admin'] }
  ]
  const rawBodies = [
    '{"__proto__": {"admin": true}, "email": "p@x.co", "password": "correct horse battery"}',
    '{"constructor": {"prototype": {"admin": true}}, "email": "c@x.co", "password": "correct horse battery"}',
    '{"email": "a@b.co", "password": ', '\u0000\u0001', '{"email": "a@b.co"}'.repeat(2000)
  ]

  const [, p, s] = victim.accessToken.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const hs = (key: string, over: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    createSigner({ key, algorithm: 'HS256', header: { alg: 'HS256', ...header } })({ ...claims, ...over })
  const badTokens: Record<string, string> = {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
    'alg RS256 header': `${b64({ alg: 'RS256', typ: 'JWT' })}.${p}.${s}`,
    'alg HS512 header': `${b64({ alg: 'HS512', typ: 'JWT' })}.${p}.${s}`,
    'kid header, foreign key': hs('k'.repeat(40), {}, { kid: '/dev/null' }),
    'jku header, foreign key': hs('k'.repeat(40), {}, { jku: 'https://evil.example/jwks.json' }),
    'missing typ': hs(ACCESS_SECRET, { typ: undefined }),
    'admin role forged': `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, roles: ['user', 'admin'] })}.${s}`,
    'refresh token as bearer': victim.refreshToken,
    huge: 'a'.repeat(8000)
  }

  const protectedRoutes: Array<[InjectOptions['method'], string]> = [
    ['GET', '/users/me'], ['GET', '/auth/verify'], ['GET', '/auth/sessions'], ['DELETE', `/auth/sessions/${'a'.repeat(32)}`], ['POST', '/auth/logout-all'],
    ['POST', '/auth/password'], ['GET', '/admin/users'], ['GET', '/admin/audit'],
    ['POST', `/admin/users/${victim.user.id}/revoke-sessions`], ['PUT', `/admin/users/${victim.user.id}/roles`],
    ['POST', '/auth/email/verification'], ['POST', '/users/me/email'], ['POST', '/auth/mfa/totp'], ['GET', '/auth/mfa'],
    ['POST', `/auth/mfa/totp/${'a'.repeat(24)}/activate`], ['DELETE', `/auth/mfa/totp/${'a'.repeat(24)}`], ['POST', '/auth/mfa/recovery-codes'],
    ['DELETE', `/admin/users/${victim.user.id}/mfa`], ['GET', '/users/me/identities'], ['DELETE', `/users/me/identities/${'a'.repeat(24)}`],
    ['POST', '/auth/passkeys/register/options'], ['POST', '/auth/passkeys/register/verify'], ['GET', '/users/me/passkeys'],
    ['PATCH', `/users/me/passkeys/${'a'.repeat(24)}`], ['DELETE', `/users/me/passkeys/${'a'.repeat(24)}`],
    ['GET', '/admin/signing-keys'], ['POST', '/admin/signing-keys/rotate']
  ]
  let count = 0
  const send = async (name: string, opts: InjectOptions) => {
    const res = await app.inject(opts)
    count++
    assertClientError(t, res, name)
  }

  for (const [method, url] of protectedRoutes) {
    for (const [name, token] of Object.entries(badTokens)) {
      await send(`${method} ${url} ${name}`, { method, url, headers: { authorization: `Bearer ${token}` }, payload: method === 'GET' || method === 'DELETE' ? undefined : {} })
    }
    for (const cookieHeader of ['__Host-access_token=', '__Host-access_token=%E0%A4%A', `__Host-access_token=${'z'.repeat(6000)}`, ';;;==;', '__Host-access_token=a; __Host-access_token=b']) {
      await send(`${method} ${url} cookie ${cookieHeader.slice(0, 30)}`, { method, url, headers: { cookie: cookieHeader } })
    }
  }

  const bodyRoutes: Array<[InjectOptions['method'], string, Record<string, string>]> = [
    ['POST', '/auth/register', {}], ['POST', '/auth/login', {}], ['POST', '/auth/refresh', BEARER],
    ['POST', '/auth/password', { authorization: `Bearer ${victim.accessToken}` }],
    ['PUT', `/admin/users/${victim.user.id}/roles`, { authorization: `Bearer ${admin.accessToken}` }],
    ['POST', '/auth/password/forgot', {}], ['POST', '/auth/password/reset', {}], ['POST', '/auth/email/verify', {}],
    ['POST', '/users/me/email', { authorization: `Bearer ${victim.accessToken}` }],
    ['POST', '/auth/mfa/verify', BEARER], ['POST', '/auth/mfa/recovery-codes', { authorization: `Bearer ${victim.accessToken}` }],
    ['POST', '/auth/oidc/google/id-token', BEARER], ['POST', '/auth/passkeys/login/verify', BEARER],
    ['POST', '/auth/passkeys/register/verify', { authorization: `Bearer ${victim.accessToken}` }],
    ['PATCH', `/users/me/passkeys/${'a'.repeat(24)}`, { authorization: `Bearer ${victim.accessToken}` }]
  ]
  for (const [method, url, headers] of bodyRoutes) {
    for (const body of badBodies) {
      await send(`${method} ${url} ${JSON.stringify(body)?.slice(0, 40)}`, { method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
    }
    for (const raw of rawBodies) {
      await send(`${method} ${url} raw ${JSON.stringify(raw.slice(0, 30))}`, { method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: raw })
    }
  }

  const adminAuth = { authorization: `Bearer ${admin.accessToken}` }
  for (const url of ['/admin/users?page=-1', '/admin/users?limit=1e9', '/admin/audit?userId=%7B%22%24ne%22%3A1%7D', '/admin/audit?userId[$ne]=1&page=0',
    '/admin/users/%7B%22%24ne%22%3A1%7D/revoke-sessions', `/admin/users/${'f'.repeat(5000)}/revoke-sessions`]) {
    await send(`admin ${url.slice(0, 50)}`, { method: url.includes('revoke') ? 'POST' : 'GET', url, headers: adminAuth })
  }
  for (const query of [`redirect_to=${'/'.repeat(3000)}`, 'redirect_to=//evil.example', 'link=maybe', 'redirect_to[$ne]=1']) {
    await send(`oidc start ${query.slice(0, 30)}`, { method: 'GET', url: `/auth/oidc/google/start?${query}` })
  }
  await send('refresh token with operator in cookie', { method: 'POST', url: '/auth/refresh', headers: { cookie: '__Secure-refresh_token={"$ne":null}' } })

  t.ok(count > 200, `${count} hostile requests`)
  t.equal(await snapshot(app), before, 'no user or claim changed')
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: victim.user.email, password: PASSWORD } })).statusCode, 200, 'the server still works')
})

t.test('messages a client can act on: a refresh token without its header, a __proto__ key', async t => {
  const app = await build(t)
  const { refreshToken } = await registerBearer(app)
  const noHeader = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken } })
  t.same([noHeader.statusCode, noHeader.json().code], [401, 'AUTH_NO_REFRESH_TOKEN'], 'the code is unchanged')
  t.match(noHeader.json().message, /X-Auth-Mode: bearer/, 'the message says which header is missing')
  const nothing = await app.inject({ method: 'POST', url: '/auth/refresh' })
  t.equal(nothing.json().message, 'No refresh token provided', 'no token at all: as before')
  const logout = await app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken } })
  t.equal(logout.statusCode, 204, 'logout stays idempotent')
  for (const polluting of ['"__proto__": {"admin": true}', '"constructor": {"prototype": {"admin": true}}']) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: `{${polluting}, "email": "p@x.co", "password": "x"}` })
    t.same([res.statusCode, res.json().code], [400, 'FST_ERR_CTP_INVALID_JSON_BODY'], polluting)
    t.match(res.json().message, /"__proto__" or "constructor" key/, `${polluting}: said so, not "not valid JSON"`)
  }
  const broken = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' })
  t.same([broken.statusCode, broken.json().code], [400, 'FST_ERR_CTP_INVALID_JSON_BODY'])
  t.notMatch(broken.json().message, /__proto__/, 'broken JSON is still just broken JSON')
  const empty = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(empty.json().code, 'FST_ERR_CTP_EMPTY_JSON_BODY')
})

t.test('validation messages say what a field must be, never a regular expression', async t => {
  const app = await build(t)
  const { accessToken } = await registerBearer(app)
  const email = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'not-an-address', password: PASSWORD } })
  t.same([email.statusCode, email.json().code, email.json().message], [400, 'VALIDATION_ERROR', 'body/email is not an email address'])
  const id = await app.inject({ method: 'DELETE', url: '/users/me/passkeys/xyz', headers: { authorization: `Bearer ${accessToken}` } })
  t.same([id.statusCode, id.json().code, id.json().message], [400, 'VALIDATION_ERROR', 'params/id is not a valid id'])
  const short = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'a@b.co', password: 'short' } })
  t.equal(short.json().message, 'body/password must NOT have fewer than 8 characters', 'other keywords keep their message')
})
