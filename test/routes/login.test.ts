import t from 'tap'
import { BEARER, build, cookie, holdHashing, jwtClaims, loginBearer, me, PASSWORD, recordFindOne, registerBearer, uniqueEmail } from '../helper.js'

t.test('login: 200 with a new session in either mode', async t => {
  const app = await build(t)
  const { user } = await registerBearer(app)

  const cookieRes = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email.toUpperCase(), password: PASSWORD } })
  t.equal(cookieRes.statusCode, 200)
  t.same(Object.keys(cookieRes.json()).sort(), ['accessTokenExpiresAt', 'tokenType', 'user'])
  t.equal(cookieRes.json().user.id, user.id)
  t.ok(cookie(cookieRes, 'access') && cookie(cookieRes, 'refresh'))

  const bearerRes = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: user.email, password: PASSWORD } })
  t.equal(bearerRes.statusCode, 200)
  t.equal(bearerRes.cookies.length, 0)
  t.equal((await me(app, bearerRes.json().accessToken)).json().user.id, user.id)
  // The answers state the expiry the token itself carries (one function computes both).
  const inCookie = jwtClaims(cookie(cookieRes, 'access')!.value)
  t.equal(Date.parse(cookieRes.json().accessTokenExpiresAt), inCookie.exp * 1000, "cookie mode: accessTokenExpiresAt is the token's exp")
  const refreshCookie = cookie(cookieRes, 'refresh')!
  t.equal(refreshCookie.expires!.getTime(), jwtClaims(refreshCookie.value).exp * 1000, 'the refresh cookie and the token inside it expire together')
  const stored = await app.mongo.collection('users').findOne({ email: user.email })
  const session = stored?.sessions.find((s: { id: string }) => s.id === inCookie.sid)
  t.equal(Math.floor(session.expiresAt.getTime() / 1000), jwtClaims(refreshCookie.value).exp, "the refresh token's exp is its session's expiry")
  // expiresIn counts from the response (OAuth 2.0's expires_in), in whole seconds.
  const left = jwtClaims(bearerRes.json().accessToken).exp - Date.now() / 1000
  t.ok(Math.abs(bearerRes.json().expiresIn - left) <= 1, `bearer mode: expiresIn ${bearerRes.json().expiresIn} s is the time the token has left (${left.toFixed(1)} s)`)

  const doc = await app.mongo.collection('users').findOne({ email: user.email })
  t.equal(doc?.sessions.length, 3, 'register + two logins = three sessions (devices)')
  t.equal(new Set(doc?.sessions.map((s: { id: string }) => s.id)).size, 3, 'each login mints a new session id')
})

t.test('a login whose password check races "log out everywhere" starts no session', async t => {
  const app = await build(t, { HASH_CONCURRENCY: 1 })
  const owner = await registerBearer(app)
  const hold = holdHashing(app, 4)
  const login = loginBearer(app, owner.user.email)
  await hold.queued(1)
  const all = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: { authorization: `Bearer ${owner.accessToken}` } })
  t.equal(all.statusCode, 204)
  t.ok(hold.done < 4, 'premise: everyone was logged out before the login\'s password check began')

  const raced = await login
  t.equal(raced.statusCode, 409, 'the check was made on credentials that have changed since')
  t.equal(raced.json().code, 'AUTH_REFRESH_CONFLICT')
  await hold.held
  const doc = await app.mongo.collection('users').findOne({ email: owner.user.email })
  t.same(doc?.sessions, [], 'no session outlives "log out everywhere"')
  t.equal((await loginBearer(app, owner.user.email)).statusCode, 200, 'a login after it works')
})

t.test('concurrent logins of one user: a stale read costs a re-read, never a lost session', async t => {
  const app = await build(t, { HASH_CONCURRENCY: 1 })
  const { user } = await registerBearer(app)
  // Reads of a user by id: the re-reads after a write that found the state moved.
  const reads = recordFindOne(app.models.users.collection)
  // All three read the user before the first one's check ends, then check one at a time.
  const hold = holdHashing(app, 1)
  const logins = [1, 2, 3].map(() => loginBearer(app, user.email))
  await hold.queued(3)
  const answers = await Promise.all(logins)
  t.same(answers.map(a => a.statusCode), [200, 200, 200])
  const doc = await app.mongo.collection('users').findOne({ email: user.email })
  t.equal(doc?.sessions.length, 4, 'registration and three logins: four sessions')
  t.equal(reads.filter(r => '_id' in r.filter).length, 2, 'the two later logins wrote on a stale read, read again and wrote')
})

t.test('unknown email and wrong password are indistinguishable', async t => {
  const app = await build(t)
  const { user } = await registerBearer(app)
  const wrong = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'wrong password' } })
  const unknown = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD } })
  const expected = { statusCode: 401, code: 'AUTH_INVALID_CREDENTIALS', error: 'Unauthorized', message: 'Invalid email or password' }
  t.same(wrong.json(), expected)
  t.same(unknown.json(), expected)
  t.equal(wrong.cookies.length + unknown.cookies.length, 0, 'no cookies on failure')
})

t.test('operator injection in login fields is a 400, not a login', async t => {
  const app = await build(t)
  await registerBearer(app)
  for (const payload of [{ email: { $ne: null }, password: PASSWORD }, { email: { $regex: '.*' }, password: { $ne: '' } }]) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload })
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'VALIDATION_ERROR')
  }
})

t.test('login upgrades a hash made with older argon2 parameters', async t => {
  const argon2 = (await import('argon2')).default
  const app = await build(t)
  const { user } = await registerBearer(app)
  const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })
  await app.mongo.collection('users').updateOne({ email: user.email }, { $set: { passwordHash: weak } })
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: PASSWORD } })
  t.equal(res.statusCode, 200)
  const doc = await app.mongo.collection('users').findOne({ email: user.email })
  t.match(doc?.passwordHash, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/)
})

t.test('login and register are rate limited per IP with a code', async t => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: 3 })
  const codes: number[] = []
  for (let i = 0; i < 4; i++) {
    codes.push((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD } })).statusCode)
  }
  t.same(codes, [401, 401, 401, 429])
  const limited = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD } })
  t.equal(limited.json().code, 'AUTH_RATE_LIMITED')
  t.ok(limited.headers['retry-after'], 'Retry-After set')
})

t.test('the auth routes share one budget per IP; other routes and other IPs have their own', async t => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: 4, RATE_LIMIT_MAX: 100 })
  const from = (ip: string) => ({ remoteAddress: ip })
  const attempts = [
    () => app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD }, ...from('10.0.0.1') }),
    () => app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD }, ...from('10.0.0.1') }),
    () => app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: uniqueEmail() }, ...from('10.0.0.1') }),
    () => app.inject({ method: 'POST', url: '/auth/mfa/verify', payload: { mfaToken: 'x', code: '123456' }, ...from('10.0.0.1') }),
    () => app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD }, ...from('10.0.0.1') })
  ]
  const codes = []
  for (const attempt of attempts) codes.push((await attempt()).statusCode)
  t.same(codes, [401, 201, 202, 401, 429], 'four auth requests across four routes, then the fifth is refused')
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: PASSWORD }, ...from('10.0.0.2') })).statusCode, 401, 'another IP has its own budget')
  t.equal((await app.inject({ url: '/health', ...from('10.0.0.1') })).statusCode, 200, 'and the other routes theirs')
})
