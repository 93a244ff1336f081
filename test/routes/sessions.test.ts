import t from 'tap'
import { BEARER, build, cookie, holdHashing, jwtClaims, me, PASSWORD, recordFindOne, refreshBearer, registerBearer } from '../helper.js'
import type { FastifyInstance } from 'fastify'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

async function loginBearer (app: FastifyInstance, email: string, userAgent = 'test-agent', password = PASSWORD) {
  const res = await app.inject({ method: 'POST', url: '/auth/login', headers: { ...BEARER, 'user-agent': userAgent }, payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`)
  return res.json()
}

t.test('GET /auth/sessions lists devices without tokens', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const phone = await loginBearer(app, a.user.email, 'Phone/1.0')
  const res = await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(phone.accessToken) })
  t.equal(res.statusCode, 200)
  const { sessions } = res.json()
  t.equal(sessions.length, 2)
  t.same(Object.keys(sessions[0]).sort(), ['browser', 'createdAt', 'current', 'device', 'id', 'ip', 'lastUsedAt', 'os', 'userAgent'])
  t.equal(sessions.filter((s: { current: boolean }) => s.current).length, 1)
  t.equal(sessions.find((s: { current: boolean }) => s.current).userAgent, 'Phone/1.0')
  t.equal(sessions[0].ip, '127.0.0.1')
  const doc = await app.mongo.collection('users').findOne({ email: a.user.email })
  for (const s of doc!.sessions) t.notOk(res.body.includes(s.tokenHash), 'no hashes in the listing')
  t.notOk(res.body.includes(phone.refreshToken))
})

t.test('each session names its browser, OS and kind of device, parsed from the user agent', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'
  const edge = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'
  await loginBearer(app, a.user.email, iphone)
  const desk = await loginBearer(app, a.user.email, edge)
  const { sessions } = (await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(desk.accessToken) })).json()
  const byAgent = (ua: string) => sessions.find((s: { userAgent: string }) => s.userAgent === ua)
  t.match(byAgent(iphone), { browser: 'Safari 17', os: 'iOS 17.5', device: 'mobile', current: false })
  t.match(byAgent(edge), { browser: 'Microsoft Edge 131', os: 'Windows 10', device: 'desktop', current: true })
  t.match(byAgent('lightMyRequest'), { browser: '', os: '', device: 'unknown' }, 'a client that names no browser: the raw string stays')
})

t.test('the session check and the listing read the sessions and token version only', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const reads = recordFindOne(app.models.users.collection)
  t.equal((await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(a.accessToken) })).statusCode, 200)
  t.equal(reads.length, 2, 'the check (verifySession) and the listing')
  for (const read of reads) t.same(Object.keys(read.doc as object).sort(), ['_id', 'sessions', 'tokenVersion'], 'no password hash, no profile')
})

t.test('DELETE /auth/sessions/:id revokes one device; someone else\'s id is a 404', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const laptop = await loginBearer(app, a.user.email, 'Laptop')
  const b = await registerBearer(app)
  const list = (await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(laptop.accessToken) })).json().sessions
  const other = list.find((s: { current: boolean }) => !s.current)

  const res = await app.inject({ method: 'DELETE', url: `/auth/sessions/${other.id}`, headers: auth(laptop.accessToken) })
  t.equal(res.statusCode, 204)
  t.equal((await refreshBearer(app, a.refreshToken)).statusCode, 401, 'the revoked device can no longer refresh')
  t.equal((await refreshBearer(app, laptop.refreshToken)).statusCode, 200, 'this device still can')

  const bSid = jwtClaims(b.refreshToken).sid
  const foreign = await app.inject({ method: 'DELETE', url: `/auth/sessions/${bSid}`, headers: auth(b.accessToken) })
  t.equal(foreign.statusCode, 204, 'own session')
  const stranger = await registerBearer(app)
  const c = await loginBearer(app, stranger.user.email)
  const cSid = jwtClaims(c.refreshToken).sid
  const notMine = await app.inject({ method: 'DELETE', url: `/auth/sessions/${cSid}`, headers: auth(stranger.accessToken) })
  t.equal(notMine.statusCode, 204, 'sanity: stranger can revoke their own other session')
  const laptop2 = await loginBearer(app, a.user.email)
  const probe = await app.inject({ method: 'DELETE', url: `/auth/sessions/${jwtClaims(stranger.refreshToken).sid}`, headers: auth(laptop2.accessToken) })
  t.equal(probe.statusCode, 404)
  t.equal(probe.json().code, 'AUTH_SESSION_NOT_FOUND')
  t.equal((await refreshBearer(app, stranger.refreshToken)).statusCode, 200, "the stranger's session is untouched")
  const bad = await app.inject({ method: 'DELETE', url: '/auth/sessions/$ne', headers: auth(laptop2.accessToken) })
  t.equal(bad.statusCode, 400)
})

t.test('POST /auth/logout-all revokes everything and closes the window on sensitive routes', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const other = await loginBearer(app, a.user.email)
  const res = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: auth(a.accessToken) })
  t.equal(res.statusCode, 204)
  for (const s of [a, other]) {
    t.equal((await refreshBearer(app, s.refreshToken)).statusCode, 401, 'no session can refresh')
    const sensitive = await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(s.accessToken) })
    t.equal(sensitive.statusCode, 401)
    t.equal(sensitive.json().code, 'AUTH_SESSION_REVOKED', 'sensitive routes see the revocation at once')
  }
  t.equal((await me(app, other.accessToken)).statusCode, 200, 'stateless routes honour the token until it expires (documented window)')
  const doc = await app.mongo.collection('users').findOne({ email: a.user.email })
  t.equal(doc?.tokenVersion, 1)
  t.same(doc?.sessions, [])
})

t.test('POST /auth/password keeps the current session and revokes the others', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const other = await loginBearer(app, a.user.email)
  const wrong = await app.inject({ method: 'POST', url: '/auth/password', headers: auth(a.accessToken), payload: { currentPassword: 'nope nope', newPassword: 'brand new password' } })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'AUTH_WRONG_PASSWORD')
  const short = await app.inject({ method: 'POST', url: '/auth/password', headers: auth(a.accessToken), payload: { currentPassword: PASSWORD, newPassword: 'short' } })
  t.equal(short.statusCode, 400)

  const res = await app.inject({ method: 'POST', url: '/auth/password', headers: auth(a.accessToken), payload: { currentPassword: PASSWORD, newPassword: 'brand new password' } })
  t.equal(res.statusCode, 204)
  t.equal((await refreshBearer(app, other.refreshToken)).statusCode, 401, 'other session revoked')
  t.equal((await me(app, a.accessToken)).statusCode, 200, 'current access token keeps working')
  const stale = await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(a.accessToken) })
  t.equal(stale.json().code, 'AUTH_TOKEN_EXPIRED', 'sensitive routes ask the current session to refresh')
  const refreshed = await refreshBearer(app, a.refreshToken)
  t.equal(refreshed.statusCode, 200, 'current session refreshes')
  t.equal((await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(refreshed.json().accessToken) })).statusCode, 200)

  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: a.user.email, password: PASSWORD } })).statusCode, 401, 'old password dead')
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: a.user.email, password: 'brand new password' } })).statusCode, 200, 'new password works')
})

t.test('a password change reads the user once; of two racing on the same current password, one lands', async t => {
  const app = await build(t, { HASH_CONCURRENCY: 1 })
  const change = (token: string, newPassword: string) =>
    app.inject({ method: 'POST', url: '/auth/password', headers: auth(token), payload: { currentPassword: PASSWORD, newPassword } })
  // Reads of the whole user (the session check before the handler reads only its own fields).
  const reads = recordFindOne(app.models.users.collection)
  const userReads = () => reads.filter(r => r.doc && 'passwordHash' in (r.doc as object)).length

  const solo = await registerBearer(app)
  const before = userReads()
  t.equal((await change(solo.accessToken, 'a new password for solo')).statusCode, 204)
  t.equal(userReads() - before, 1, 'the write lands on the read the password was checked against')

  const owner = await registerBearer(app)
  const other = await loginBearer(app, owner.user.email)
  // Both read the user before either check ends; the checks and the new hashes then run one at a time.
  const hold = holdHashing(app, 1)
  const racing = [change(owner.accessToken, 'first new password'), change(other.accessToken, 'second new password')]
  await hold.queued(2)
  const answers = await Promise.all(racing)
  t.same(answers.map(a => a.statusCode).sort(), [204, 401], 'one lands, the other is refused')
  const loser = answers.find(a => a.statusCode === 401)!
  t.equal(loser.json().code, 'AUTH_WRONG_PASSWORD', 'its current password is no longer the current one')
  const [won, lost] = answers[0]!.statusCode === 204 ? ['first new password', 'second new password'] : ['second new password', 'first new password']
  const login = (password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { email: owner.user.email, password } })
  t.equal((await login(lost)).statusCode, 401, 'the refused change wrote nothing')
  t.equal((await login(won)).statusCode, 200, 'the winner\'s password stands')
})

t.test('cookie clients: logout-all clears cookies', async t => {
  const app = await build(t)
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'c@example.com', password: PASSWORD } })
  const at = cookie(reg, 'access')!
  const res = await app.inject({ method: 'POST', url: '/auth/logout-all', cookies: { [at.name]: at.value } })
  t.equal(res.statusCode, 204)
  t.equal(cookie(res, 'access')?.value, '')
  t.equal(cookie(res, 'refresh')?.value, '')
})

t.test('MAX_SESSIONS_PER_USER evicts the least recently used session', async t => {
  const app = await build(t, { MAX_SESSIONS_PER_USER: 3 })
  const first = await registerBearer(app)
  const logins = []
  for (let i = 0; i < 3; i++) logins.push(await loginBearer(app, first.user.email, `device-${i}`))
  t.equal((await refreshBearer(app, first.refreshToken)).json().code, 'AUTH_INVALID_REFRESH_TOKEN', 'oldest evicted')
  for (const l of logins) t.equal((await refreshBearer(app, l.refreshToken)).statusCode, 200)
  const doc = await app.mongo.collection('users').findOne({ email: first.user.email })
  t.equal(doc?.sessions.length, 3)
})

t.test('expired sessions are pruned on the next write', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const users = app.mongo.collection('users')
  const doc = await users.findOne({ email: a.user.email })
  await users.updateOne({ _id: doc!._id }, { $set: { sessions: doc!.sessions.map((s: object) => ({ ...s, expiresAt: new Date(Date.now() - 1000) })) } })
  await loginBearer(app, a.user.email)
  const after = await users.findOne({ _id: doc!._id })
  t.equal(after?.sessions.length, 1, 'only the new session remains')
  t.equal((await refreshBearer(app, a.refreshToken)).statusCode, 401)
})
