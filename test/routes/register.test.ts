import t from 'tap'
import { BEARER, build, cookie, jwtClaims, PASSWORD, uniqueEmail } from '../helper.js'

const USER_KEYS = ['createdAt', 'email', 'emailVerified', 'hasPassword', 'id', 'name', 'roles']

t.test('cookie mode: 201, user only, HttpOnly cookies, no token strings in the body', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: '  Ada@Example.COM ', password: PASSWORD, name: ' Ada ' } })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['accessTokenExpiresAt', 'tokenType', 'user'])
  t.equal(body.tokenType, 'Cookie', 'the discriminator of the two session bodies')
  t.same(Object.keys(body.user).sort(), USER_KEYS, 'user is exactly { id, email, emailVerified, name, roles, createdAt, hasPassword }')
  t.match(body.user, { email: 'ada@example.com', name: 'Ada', roles: ['user'] }, 'email trimmed and lower-cased')
  t.match(body.user.id, /^[0-9a-f]{24}$/)
  t.ok(Date.parse(body.accessTokenExpiresAt) > Date.now())

  const access = cookie(res, 'access')
  const refresh = cookie(res, 'refresh')
  t.match(access, { name: '__Host-access_token', path: '/', httpOnly: true, secure: true, sameSite: 'Lax' })
  t.match(refresh, { name: '__Secure-refresh_token', path: '/auth/refresh', httpOnly: true, secure: true, sameSite: 'Lax' })
  t.same(res.cookies.filter(c => c.name === refresh?.name).map(c => c.path), ['/auth/refresh', '/auth/logout'], 'set for the two routes that read it, and no other')
  t.notOk(res.body.includes(access!.value), 'access token not in body')
  t.notOk(res.body.includes(refresh!.value), 'refresh token not in body')
  t.notOk(/passwordHash|argon2|sessions|tokenVersion|"rev"/.test(res.body), 'no internals')
})

t.test('COOKIE_SECURE=false drops Secure and the cookie prefixes', async t => {
  const app = await build(t, { COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'strict' })
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
  t.match(cookie(res, 'access'), { name: 'access_token', secure: undefined, sameSite: 'Strict', httpOnly: true })
  t.match(cookie(res, 'refresh'), { name: 'refresh_token', path: '/auth/refresh' })
})

t.test('bearer mode: tokens in the body, no cookies', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email: uniqueEmail(), password: PASSWORD } })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType', 'user'])
  t.equal(body.tokenType, 'Bearer')
  t.ok(body.expiresIn > 890 && body.expiresIn <= 900, 'expiresIn is the access TTL in seconds')
  t.not(body.accessToken, body.refreshToken)
  t.equal(res.cookies.length, 0, 'no cookies in bearer mode')
  t.equal(res.headers['set-cookie'], undefined)
})

t.test('duplicate email → 409 AUTH_EMAIL_TAKEN, whatever its case', async t => {
  const app = await build(t)
  const email = uniqueEmail()
  t.equal((await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })).statusCode, 201)
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: ` ${email.toUpperCase()}`, password: 'another password' } })
  t.equal(res.statusCode, 409)
  t.same(res.json(), { statusCode: 409, code: 'AUTH_EMAIL_TAKEN', error: 'Conflict', message: 'Email is already registered' })
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } })
  t.equal(login.statusCode, 200, 'the first account is intact')
})

t.test('10 concurrent registrations of one email create exactly one account', async t => {
  const app = await build(t)
  const email = uniqueEmail()
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: `${PASSWORD}-${i}` } })))
  const codes = results.map(r => r.statusCode).sort()
  t.same(codes, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409])
  t.equal(await app.mongo.collection('users').countDocuments({ email }), 1, 'one user document')
  const winner = results.findIndex(r => r.statusCode === 201)
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: `${PASSWORD}-${winner}` } })
  t.equal(login.statusCode, 200, "the winner's password is the one stored")
})

t.test('invalid input → 400 with a code, nothing stored', async t => {
  const app = await build(t)
  const cases: Array<[string, unknown]> = [
    ['short password', { email: uniqueEmail(), password: 'short' }],
    ['long password', { email: uniqueEmail(), password: 'x'.repeat(1025) }],
    ['bad email', { email: 'not-an-email', password: PASSWORD }],
    ['operator in email', { email: { $ne: null }, password: PASSWORD }],
    ['operator in password', { email: uniqueEmail(), password: { $gt: '' } }],
    ['missing password', { email: uniqueEmail() }],
    ['array body', [{ email: uniqueEmail(), password: PASSWORD }]],
    ['number email', { email: 42, password: PASSWORD }]
  ]
  for (const [name, payload] of cases) {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: payload as object })
    t.equal(res.statusCode, 400, name)
    t.equal(res.json().code, 'VALIDATION_ERROR', name)
  }
  t.equal(await app.mongo.collection('users').countDocuments(), 0)
})

t.test('unknown fields are stripped, never stored', async t => {
  const app = await build(t)
  const email = uniqueEmail()
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD, roles: ['admin'], passwordHash: 'x', isAdmin: true } })
  t.equal(res.statusCode, 201)
  t.same(res.json().user.roles, ['user'], 'cannot self-assign roles')
  const doc = await app.mongo.collection('users').findOne({ email })
  t.notOk(doc && 'isAdmin' in doc)
  t.match(doc?.passwordHash, /^\$argon2id\$/, 'stored password is an argon2id hash')
  t.same(doc?.sessions.map((s: Record<string, unknown>) => Object.keys(s).includes('token')), [false], 'no raw token stored')
})

t.test('token lifetimes are the configured ones (exp - iat), not off by a unit', async t => {
  const app = await build(t, { ACCESS_TOKEN_EXPIRY: '15m', REFRESH_TOKEN_EXPIRY: '7d' })
  const res = await app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email: uniqueEmail(), password: PASSWORD } })
  const access = jwtClaims(res.json().accessToken)
  const refresh = jwtClaims(res.json().refreshToken)
  t.equal(access.exp - access.iat, 900, 'access: 15 minutes')
  t.equal(refresh.exp - refresh.iat, 7 * 86400, 'refresh: 7 days')
  t.ok(Math.abs(access.iat - Date.now() / 1000) < 5, 'issued now')
})

t.test('a claim left by a crashed registration is taken over after a minute, not before', async t => {
  const app = await build(t)
  const { emailKey } = await import('../../models/email-claim.js')
  const { Types } = await import('mongoose')
  const email = uniqueEmail()
  const claims = app.mongo.collection('email_claims')
  await claims.insertOne({ _id: emailKey(email), userId: new Types.ObjectId(), createdAt: new Date() })
  const fresh = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })
  t.equal(fresh.json().code, 'AUTH_EMAIL_TAKEN', 'a recent claim may be a registration in progress')
  await claims.updateOne({ _id: emailKey(email) }, { $set: { createdAt: new Date(Date.now() - 120_000) } })
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } })
  t.equal(res.statusCode, 201, 'an old claim without a user is taken over')
  t.equal((await claims.findOne({ _id: emailKey(email) }))?.userId.toString(), res.json().user.id)
})
