import { createSigner } from 'fast-jwt'
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { BEARER, build, cookie, jwtClaims, me, PASSWORD, uniqueEmail, REFRESH_SECRET, ACCESS_SECRET, refreshBearer, registerBearer, respellings } from '../helper.js'

t.test('rotation: new access and refresh tokens; the presented one is dead', async t => {
  const app = await build(t, { REFRESH_GRACE_SECONDS: 0 })
  const first = await registerBearer(app)
  const res = await refreshBearer(app, first.refreshToken)
  t.equal(res.statusCode, 200)
  const second = res.json()
  t.same(Object.keys(second).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType', 'user'])
  t.not(second.refreshToken, first.refreshToken, 'refresh token rotated')
  t.equal((await me(app, second.accessToken)).statusCode, 200, 'new access token works')

  const third = (await refreshBearer(app, second.refreshToken)).json()
  t.ok(third.refreshToken, 'the successor rotates in turn')

  const doc = await app.mongo.collection('users').findOne({ email: first.user.email })
  t.equal(doc?.sessions.length, 1)
  t.equal(doc?.sessions[0].gen, 3, 'two rotations')
  t.notOk(JSON.stringify(doc).includes(third.refreshToken), 'the raw refresh token is never stored')
})

t.test('reuse of a rotated token revokes the whole session', async t => {
  const app = await build(t, { REFRESH_GRACE_SECONDS: 0 })
  const first = await registerBearer(app)
  const other = (await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: first.user.email, password: 'correct horse battery' } })).json()
  const second = (await refreshBearer(app, first.refreshToken)).json()

  const reuse = await refreshBearer(app, first.refreshToken)
  t.equal(reuse.statusCode, 401)
  t.equal(reuse.json().code, 'AUTH_REFRESH_REUSED')

  const newest = await refreshBearer(app, second.refreshToken)
  t.equal(newest.statusCode, 401, 'the newest token of that session died too')
  t.equal(newest.json().code, 'AUTH_INVALID_REFRESH_TOKEN')
  t.equal((await refreshBearer(app, other.refreshToken)).statusCode, 200, 'other devices are untouched')
})

t.test('missing, forged, expired and wrong-type refresh tokens', async t => {
  const app = await build(t)
  const session = await registerBearer(app)

  const missing = await app.inject({ method: 'POST', url: '/auth/refresh', headers: BEARER, payload: {} })
  t.same(missing.json(), { statusCode: 401, code: 'AUTH_NO_REFRESH_TOKEN', error: 'Unauthorized', message: 'No refresh token provided' })
  const noBody = await app.inject({ method: 'POST', url: '/auth/refresh' })
  t.equal(noBody.json().code, 'AUTH_NO_REFRESH_TOKEN', 'cookie mode without a cookie')

  const [h, p] = session.refreshToken.split('.')
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
  const sign = (key: string, over: Record<string, unknown> = {}, opts: Record<string, unknown> = {}) =>
    createSigner({ key, algorithm: 'HS256', ...opts })({ ...claims, ...over })
  const bad: Array<[string, string]> = [
    ['garbage', 'not.a.jwt'],
    ['other secret', sign('x'.repeat(40))],
    ['access secret', sign(ACCESS_SECRET)],
    ['tampered payload', `${h}.${Buffer.from(JSON.stringify({ ...claims, gen: 99 })).toString('base64url')}.${session.refreshToken.split('.')[2]}`],
    ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`],
    ['expired', sign(REFRESH_SECRET, { iat: claims.iat - 7200, exp: claims.iat - 3600 })],
    ['access token as refresh', session.accessToken],
    ['typ access with refresh secret', sign(REFRESH_SECRET, { typ: 'access', roles: [] })],
    ['unknown session', sign(REFRESH_SECRET, { sid: '0'.repeat(32) })],
    ['unknown user', sign(REFRESH_SECRET, { sub: '0'.repeat(24) })],
    ['non-ObjectId sub', sign(REFRESH_SECRET, { sub: 'nope' })]
  ]
  for (const [name, token] of bad) {
    const res = await refreshBearer(app, token)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'AUTH_INVALID_REFRESH_TOKEN', name)
  }
  t.equal((await refreshBearer(app, session.refreshToken)).statusCode, 200, 'the genuine token still works after all that')
})

t.test('cookie mode reads the refresh cookie and sets new cookies', async t => {
  const app = await build(t)
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'cookie@example.com', password: 'correct horse battery' } })
  const rt = cookie(reg, 'refresh')!
  const res = await app.inject({ method: 'POST', url: '/auth/refresh', cookies: { [rt.name]: rt.value } })
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json()).sort(), ['accessTokenExpiresAt', 'tokenType', 'user'])
  const next = cookie(res, 'refresh')!
  t.not(next.value, rt.value, 'rotated')
  t.match(next, { path: '/auth/refresh', httpOnly: true })
  const access = cookie(res, 'access')!
  const meRes = await app.inject({ method: 'GET', url: '/users/me', cookies: { [access.name]: access.value } })
  t.equal(meRes.statusCode, 200)
  t.equal(meRes.json().user.email, 'cookie@example.com')
})

t.test('grace window: concurrent refreshes with one token converge on one successor', async t => {
  const app = await build(t, { REFRESH_GRACE_SECONDS: 10 })

  const a = await registerBearer(app)
  const pair = await Promise.all([refreshBearer(app, a.refreshToken), refreshBearer(app, a.refreshToken)])
  t.same(pair.map(r => r.statusCode), [200, 200])
  t.equal(pair[0]!.json().refreshToken, pair[1]!.json().refreshToken, 'both callers got the same refresh token')
  // ES256 signatures are randomized: the same claims, not the same bytes.
  t.same(jwtClaims(pair[0]!.json().accessToken), jwtClaims(pair[1]!.json().accessToken), 'and an access token with the same claims')

  const b = await registerBearer(app)
  const many = await Promise.all(Array.from({ length: 50 }, () => refreshBearer(app, b.refreshToken)))
  t.same([...new Set(many.map(r => r.statusCode))], [200], '50 concurrent: all 200')
  const successors = new Set(many.map(r => r.json().refreshToken))
  t.equal(successors.size, 1, 'one lineage')
  const doc = await app.mongo.collection('users').findOne({ email: b.user.email })
  t.equal(doc?.sessions[0].gen, 2, 'exactly one rotation happened')
  const [successor] = successors
  t.equal((await refreshBearer(app, successor!)).statusCode, 200, 'the successor rotates normally')
  const grand = await refreshBearer(app, b.refreshToken)
  t.equal(grand.json().code, 'AUTH_REFRESH_REUSED', 'a grandparent is reuse even inside the window')
  t.equal((await refreshBearer(app, successor!)).statusCode, 401, 'and the session is revoked')
})

t.test('grace window: the predecessor after the window is reuse and revokes', async t => {
  const app = await build(t, { REFRESH_GRACE_SECONDS: 1 })
  const a = await registerBearer(app)
  const next = (await refreshBearer(app, a.refreshToken)).json()
  // Move the rotation 2 s into the past instead of sleeping (whole array: the embedded server
  // ignores positional paths).
  const users = app.mongo.collection('users')
  const doc = await users.findOne({ email: a.user.email })
  const sessions = doc!.sessions.map((s: Record<string, unknown>) => ({ ...s, rotatedAt: new Date(Date.now() - 2000) }))
  await users.updateOne({ email: a.user.email }, { $set: { sessions } })
  const late = await refreshBearer(app, a.refreshToken)
  t.equal(late.statusCode, 401)
  t.equal(late.json().code, 'AUTH_REFRESH_REUSED')
  t.equal((await refreshBearer(app, next.refreshToken)).statusCode, 401, 'session revoked')
})

t.test('grace window never resurrects a logged-out or reuse-revoked session', async t => {
  const app = await build(t, { REFRESH_GRACE_SECONDS: 30 })
  const a = await registerBearer(app)
  const next = (await refreshBearer(app, a.refreshToken)).json()
  await app.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: next.refreshToken } })
  const res = await refreshBearer(app, a.refreshToken)
  t.equal(res.statusCode, 401, 'predecessor inside the window after logout')
  t.equal(res.json().code, 'AUTH_INVALID_REFRESH_TOKEN')
})

t.test('an expired access token still in its cookie says AUTH_TOKEN_EXPIRED, not AUTH_NO_TOKEN', async t => {
  const app = await build(t)
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'exp@example.com', password: 'correct horse battery' } })
  const access = cookie(reg, 'access')!
  const refresh = cookie(reg, 'refresh')!
  t.same(access.expires, refresh.expires, 'the access cookie lives as long as the session')
  t.ok(access.expires! > new Date(Date.parse(reg.json().accessTokenExpiresAt) + 60_000), 'longer than the token inside it')
})

t.test('a session written before amr/aal existed refreshes as a password login', async t => {
  const app = await build(t)
  const { user, refreshToken } = await registerBearer(app)
  await app.mongo.collection('users').updateOne({ email: user.email }, { $unset: { 'sessions.0.amr': '', 'sessions.0.aal': '' } })
  const raw = await app.mongo.collection('users').findOne({ email: user.email })
  t.notOk('amr' in (raw?.sessions[0] ?? {}), 'premise: no amr stored')
  const res = await refreshBearer(app, refreshToken)
  t.equal(res.statusCode, 200)
  t.match(jwtClaims(res.json().accessToken), { amr: ['pwd'], aal: 'aal1' })
})

t.test('a refresh token whose signature is spelled another way is refused, and leaves the session alone', async t => {
  const app = await build(t)
  const { refreshToken } = await registerBearer(app)
  const variants = respellings(refreshToken)
  t.equal(variants.length, 3, 'HS256: 4 spellings of one signature')
  for (const token of variants) {
    const res = await refreshBearer(app, token)
    t.equal(res.statusCode, 401)
    t.equal(res.json().code, 'AUTH_INVALID_REFRESH_TOKEN')
  }
  t.equal((await refreshBearer(app, refreshToken)).statusCode, 200, 'the token as issued still rotates')
})

t.test('cookie tossing: two refresh or two access cookies of our names are refused, and cleared', async t => {
  const app = await build(t)
  const login = async () => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
    return { access: cookie(res, 'access')!.value, refresh: cookie(res, 'refresh')!.value }
  }
  const victim = await login()
  const attacker = await login()
  const clearedCookies = (res: LightMyRequestResponse) => res.cookies.filter(c => c.value === '').map(c => `${c.name} ${c.path}`).sort()
  const ALL_CLEARED = ['__Host-access_token /', '__Secure-refresh_token /auth/logout', '__Secure-refresh_token /auth/refresh']

  // A sibling subdomain's cookie on Path=/auth comes after ours (longer paths first), or before.
  for (const header of [
    `__Secure-refresh_token=${victim.refresh}; __Secure-refresh_token=${attacker.refresh}`,
    `__Secure-refresh_token=${attacker.refresh}; __Secure-refresh_token=${victim.refresh}`,
    `__Secure-refresh_token=${victim.refresh};__Host-access_token=${victim.access}; __Secure-refresh_token=${victim.refresh}`
  ]) {
    const res = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { cookie: header } })
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'AUTH_AMBIGUOUS_CREDENTIALS')
    t.same(clearedCookies(res), ALL_CLEARED, 'both cleared, at every path we set them')
    const logout = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: header } })
    t.equal(logout.json().code, 'AUTH_AMBIGUOUS_CREDENTIALS', 'logout too')
  }
  const twoAccess = await app.inject({ method: 'GET', url: '/users/me', headers: { cookie: `__Host-access_token=${victim.access}; __Host-access_token=${attacker.access}` } })
  t.equal(twoAccess.statusCode, 400)
  t.equal(twoAccess.json().code, 'AUTH_AMBIGUOUS_CREDENTIALS')
  t.same(clearedCookies(twoAccess), ALL_CLEARED)
  const verify = await app.inject({ method: 'GET', url: '/auth/verify', headers: { cookie: `__Host-access_token=${attacker.access}; __Host-access_token=${victim.access}` } })
  t.equal(verify.json().code, 'AUTH_AMBIGUOUS_CREDENTIALS', '/auth/verify, outside the browser-facing routes, too')
  t.same(clearedCookies(verify), ALL_CLEARED)

  const bearer = await app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${victim.access}`, cookie: '__Host-access_token=a; __Host-access_token=b' } })
  t.equal(bearer.statusCode, 200, 'a Bearer request does not read the cookies')
  const one = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { cookie: `__Secure-refresh_token=${victim.refresh}; __Secure-refresh_token_x=1; other=${attacker.refresh}` } })
  t.equal(one.statusCode, 200, 'one cookie of each name is not ambiguous')
  t.equal(jwtClaims(cookie(one, 'refresh')!.value).sub, jwtClaims(victim.refresh).sub, 'and rotates its own session')
})
