import { createSigner } from 'fast-jwt'
import t from 'tap'
import { ACCESS_SECRET, REFRESH_SECRET, build, cookie, jwtClaims, me, PASSWORD, recordFindOne, registerBearer, respellings, uniqueEmail } from '../helper.js'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

t.test('GET /users/me with bearer, cookie, and both', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const res = await me(app, a.accessToken)
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json().user).sort(), ['createdAt', 'email', 'emailVerified', 'hasPassword', 'id', 'name', 'roles'])
  t.equal(res.json().user.id, a.user.id)

  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
  const c = cookie(reg, 'access')!
  const viaCookie = await app.inject({ method: 'GET', url: '/users/me', cookies: { [c.name]: c.value } })
  t.equal(viaCookie.json().user.id, reg.json().user.id, 'cookie works')

  const both = await app.inject({ method: 'GET', url: '/users/me', cookies: { [c.name]: c.value }, headers: { authorization: `Bearer ${a.accessToken}` } })
  t.equal(both.json().user.id, a.user.id, 'the header wins over the cookie')
})

t.test('GET /users/me reads only the profile\'s fields (no sessions), and answers whether there is a password, not its hash', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const reads = recordFindOne(app.models.users.collection)
  const res = await me(app, a.accessToken)
  t.equal(res.statusCode, 200)
  t.equal(reads.length, 1, 'one read')
  // The hash is read only to say whether there is one (the embedded database computes no projection).
  t.same(Object.keys(reads[0]!.doc as object).sort(), ['_id', 'createdAt', 'email', 'emailVerified', 'name', 'passwordHash', 'roles'])
  t.equal(res.json().user.hasPassword, true)
  t.notOk(res.body.includes((reads[0]!.doc as { passwordHash: string }).passwordHash), 'the hash is not in the answer')
  t.notOk(res.body.includes('$argon2'))
})

t.test('no token → 401 AUTH_NO_TOKEN', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/users/me' })
  t.same(res.json(), { statusCode: 401, code: 'AUTH_NO_TOKEN', error: 'Unauthorized', message: 'No token provided' })
  const empty = await app.inject({ method: 'GET', url: '/users/me', cookies: { '__Host-access_token': '' } })
  t.equal(empty.json().code, 'AUTH_NO_TOKEN', 'an empty cookie is no token')
})

t.test('forged, malformed and wrong-type tokens → 401 AUTH_INVALID_TOKEN', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const [h, p, s] = a.accessToken.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const hs = (key: string, algorithm: 'HS256' | 'HS384' | 'HS512' = 'HS256', over: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    createSigner({ key, algorithm, header: { alg: algorithm, ...header } })({ ...claims, ...over })

  const cases: Array<[string, string]> = [
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`],
    ['alg none with signature', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`],
    ['HS512 with the right secret', hs(ACCESS_SECRET, 'HS512')],
    ['other secret', hs('z'.repeat(40))],
    ['refresh secret', hs(REFRESH_SECRET)],
    ['tampered roles', `${h}.${b64({ ...claims, roles: ['admin'] })}.${s}`],
    ['tampered signature', `${h}.${p}.${s.slice(0, -2)}AA`],
    ['refresh token as access token', a.refreshToken],
    ['typ refresh signed with access secret', hs(ACCESS_SECRET, 'HS256', { typ: 'refresh' })],
    ['missing typ', hs(ACCESS_SECRET, 'HS256', { typ: undefined })],
    ['kid/jku headers with a foreign key', hs('k'.repeat(40), 'HS256', {}, { kid: '../../dev/null', jku: 'https://evil.example/jwks' })],
    ['two parts', `${h}.${p}`],
    ['garbage', 'garbage'],
    ['unicode', 'ünïcödé.ü.ü']
  ]
  for (const [name, token] of cases) {
    const res = await me(app, token)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'AUTH_INVALID_TOKEN', name)
  }
  for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', `Token ${a.accessToken}`, 'x'.repeat(5000)]) {
    const res = await app.inject({ method: 'GET', url: '/users/me', headers: { authorization: header } })
    t.equal(res.statusCode, 401, `Authorization: ${header.slice(0, 20)}`)
    t.equal(res.json().code, 'AUTH_INVALID_TOKEN')
  }
  const garbageCookie = await app.inject({ method: 'GET', url: '/users/me', headers: { cookie: '__Host-access_token=%%%; other=;;;=' } })
  t.equal(garbageCookie.statusCode, 401, 'garbage cookie')
  t.equal(garbageCookie.json().code, 'AUTH_INVALID_TOKEN')
})

t.test('expired → 401 AUTH_TOKEN_EXPIRED (refresh, do not log in)', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const claims = jwtClaims(a.accessToken)
  const now = Math.floor(Date.now() / 1000)
  // Signed by the app's own current key, an hour ago.
  const expired = app.accessTokens.sign({ ...claims, iat: now - 3600, exp: now - 60 })
  const res = await me(app, expired)
  t.same(res.json(), { statusCode: 401, code: 'AUTH_TOKEN_EXPIRED', error: 'Unauthorized', message: 'Token expired' })

  const forgedExpired = createSigner({ key: 'q'.repeat(40), algorithm: 'HS256' })({ ...claims, iat: now - 3600, exp: now - 60 })
  t.equal((await me(app, forgedExpired)).json().code, 'AUTH_INVALID_TOKEN', 'a forged expired token is invalid, not expired')
})

t.test('a valid token of a deleted user is rejected', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  await app.mongo.collection('users').deleteOne({ email: a.user.email })
  const res = await me(app, a.accessToken)
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'AUTH_INVALID_TOKEN')
})

t.test('GET /auth/verify answers from the token alone', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const res = await app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${a.accessToken}` } })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['aal', 'amr', 'expiresAt', 'roles', 'sessionId', 'userId'])
  t.match(body, { amr: ['pwd'], aal: 'aal1' }, 'a password login')
  t.match(body, { userId: a.user.id, sessionId: /^[0-9a-f]{32}$/, roles: ['user'] })
  t.ok(Date.parse(body.expiresAt) > Date.now())
  await app.mongo.close()
  t.equal((await app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${a.accessToken}` } })).statusCode, 200, 'works with the database down: DB-free')
  t.equal((await app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${a.refreshToken}` } })).json().code, 'AUTH_INVALID_TOKEN')
  t.equal((await app.inject({ method: 'GET', url: '/auth/verify' })).json().code, 'AUTH_NO_TOKEN')
})

t.test('GET /auth/verify with the access cookie (parsed without @fastify/cookie, which is browser-facing only)', async t => {
  const app = await build(t)
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
  const c = cookie(reg, 'access')!
  const res = await app.inject({ method: 'GET', url: '/auth/verify', headers: { cookie: `theme=dark; ${c.name}=${c.value}; other=1` } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().userId, reg.json().user.id)
  const refresh = cookie(reg, 'refresh')!
  const cases: Array<[string, string]> = [
    ['theme=dark', 'AUTH_NO_TOKEN'],
    [`${c.name}=`, 'AUTH_NO_TOKEN'],
    [`${refresh.name}=${refresh.value}`, 'AUTH_NO_TOKEN'],
    [`${c.name}=${refresh.value}`, 'AUTH_INVALID_TOKEN'],
    [`${c.name}=%E0%A4%A`, 'AUTH_INVALID_TOKEN'],
    [`${c.name}=${'x'.repeat(5000)}`, 'AUTH_INVALID_TOKEN'],
    [';;;=;==', 'AUTH_NO_TOKEN']
  ]
  for (const [header, code] of cases) {
    const bad = await app.inject({ method: 'GET', url: '/auth/verify', headers: { cookie: header } })
    t.equal(bad.statusCode, 401, `cookie ${header.slice(0, 40)} → 401`)
    t.equal(bad.json().code, code)
  }
})

t.test('GET /auth/verify: machine headers, no per-IP limit (forward-auth calls share the proxy IP)', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: 2 })
  const a = await registerBearer(app)
  const codes = []
  for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${a.accessToken}` } })).statusCode)
  t.same(codes, [200, 200, 200, 200])
  const res = await app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${a.accessToken}` } })
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'")
})

t.test('an access token whose signature is spelled another way is refused (ES256 and HS256)', async t => {
  for (const alg of ['ES256', 'HS256']) {
    const app = await build(t, { ACCESS_TOKEN_ALG: alg })
    const { accessToken } = await registerBearer(app)
    const variants = respellings(accessToken)
    t.ok(variants.length >= 3, `${alg}: ${variants.length} other spellings`)
    for (const token of variants) {
      const res = await me(app, token)
      t.equal(res.statusCode, 401, alg)
      t.equal(res.json().code, 'AUTH_INVALID_TOKEN', alg)
    }
    t.equal((await me(app, accessToken)).statusCode, 200, `${alg}: the token as issued works`)
  }
})

t.test('GET /auth/session: 200 with the state, never a 401, for a page load', async t => {
  const app = await build(t)
  const state = async (cookies: Record<string, string> = {}) => {
    const res = await app.inject({ url: '/auth/session', cookies })
    t.equal(res.statusCode, 200)
    return res.json()
  }
  t.same(await state(), { status: 'signed-out', user: null }, 'no cookie')
  t.same(await state({ '__Host-access_token': 'garbage' }), { status: 'signed-out', user: null }, 'a token that is not one')
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
  const access = cookie(reg, 'access')!.value
  t.same(await state({ '__Host-access_token': access }), { status: 'active', user: reg.json().user }, 'signed in')
  await app.mongo.collection('users').updateOne({ email: reg.json().user.email }, { $inc: { tokenVersion: 1 } })
  t.same(await state({ '__Host-access_token': access }), { status: 'expired', user: null }, 'a token older than a password change: refresh')
  await app.mongo.collection('users').updateOne({ email: reg.json().user.email }, { $set: { sessions: [] } })
  t.same(await state({ '__Host-access_token': access }), { status: 'signed-out', user: null }, 'a revoked session, its token unexpired')
  // A genuine token of a live session, signed with an expiry a minute ago: no waiting on a clock.
  const other = await registerBearer(app)
  const past = Math.floor(Date.now() / 1000) - 120
  const expired = app.accessTokens.sign({ ...jwtClaims(other.accessToken), iat: past, exp: past + 60 })
  t.same(await state({ '__Host-access_token': expired }), { status: 'expired', user: null }, 'an expired token: refresh')
  const bearer = await registerBearer(app)
  await app.mongo.collection('users').deleteOne({ email: bearer.user.email })
  t.same((await app.inject({ url: '/auth/session', headers: { authorization: `Bearer ${bearer.accessToken}` } })).json().status, 'signed-out', 'a deleted user')
  const tossed = await app.inject({ url: '/auth/session', headers: { cookie: `__Host-access_token=${access}; __Host-access_token=x` } })
  t.same([tossed.statusCode, tossed.json().code], [400, 'AUTH_AMBIGUOUS_CREDENTIALS'])
})
