import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { BEARER, buildWithLogs, jwtClaims, loginBearer, newDbName, recordFindOne, refreshBearer, registerBearer } from '../helper.js'

/**
 * A refresh decides on the server's last known state of the user and lets its compare-and-swap
 * write prove that state current (src/services/user-store.ts). Two servers on one database make
 * that state stale on purpose: every answer below must be the one a fresh read gives.
 */
async function twoServers (t: { teardown: (fn: () => unknown) => void }, overrides: Record<string, unknown> = {}) {
  const dbName = newDbName()
  const a = (await buildWithLogs(t, overrides, { dbName })).app
  const b = (await buildWithLogs(t, overrides, { dbName })).app
  return { a, b }
}

/** Reads of users by id, as the user store makes them (`findByEmail` is login's, by email). */
function userReads (app: FastifyInstance) {
  const reads = recordFindOne(app.models.users.collection)
  return { get count () { return reads.filter(r => '_id' in r.filter).length } }
}

t.test('a rotation on another server makes the replay of its predecessor here a reuse', async t => {
  const { a, b } = await twoServers(t, { REFRESH_GRACE_SECONDS: 0 })
  const first = await registerBearer(a)
  const second = (await refreshBearer(a, first.refreshToken)).json()
  // `a` now knows the session at its second generation; `b` rotates it past that.
  const third = await refreshBearer(b, second.refreshToken)
  t.equal(third.statusCode, 200)

  const replay = await refreshBearer(a, second.refreshToken)
  t.equal(replay.statusCode, 401, 'the stale state would have rotated it; the write found it stale')
  t.equal(replay.json().code, 'AUTH_REFRESH_REUSED')
  const newest = await refreshBearer(a, third.json().refreshToken)
  t.equal(newest.json().code, 'AUTH_INVALID_REFRESH_TOKEN', 'the session is revoked')
})

t.test('the newest token, rotated on another server, refreshes here', async t => {
  const { a, b } = await twoServers(t)
  const first = await registerBearer(a)
  const second = (await refreshBearer(a, first.refreshToken)).json()
  const third = (await refreshBearer(b, second.refreshToken)).json()

  // By `a`'s last known state this token is from a future generation: invalid; a fresh read says current.
  const fourth = await refreshBearer(a, third.refreshToken)
  t.equal(fourth.statusCode, 200)
  const doc = await a.mongo.collection('users').findOne({ email: first.user.email })
  t.equal(doc?.sessions[0].gen, 4)
})

t.test('a logout on another server ends the session here', async t => {
  const { a, b } = await twoServers(t)
  const first = await registerBearer(a)
  const second = (await refreshBearer(a, first.refreshToken)).json()
  const out = await b.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: second.refreshToken } })
  t.equal(out.statusCode, 204)

  const res = await refreshBearer(a, second.refreshToken)
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'AUTH_INVALID_REFRESH_TOKEN')
})

t.test('a refresh reads the user only when its last known state is missing or stale', async t => {
  const { a, b } = await twoServers(t)
  const onA = userReads(a)
  const onB = userReads(b)
  const first = await registerBearer(a)
  t.equal(onA.count, 1, 'registration reads the new user once, to write its session')
  let token = first.refreshToken

  const refreshOn = async (app: FastifyInstance) => {
    const res = await refreshBearer(app, token)
    t.equal(res.statusCode, 200)
    token = res.json().refreshToken
  }
  await refreshOn(a)
  await refreshOn(a)
  t.equal(onA.count, 1, 'refreshes decide on the state the last write here left')
  await refreshOn(b)
  t.equal(onB.count, 1, 'a server that never saw the user reads it')
  await refreshOn(a)
  t.equal(onA.count, 2, 'after a write elsewhere, one more read')
  await refreshOn(a)
  t.equal(onA.count, 2)
})

t.test('a write by the account routes keeps the state a refresh decides on current', async t => {
  const { app } = await buildWithLogs(t)
  const laptop = await registerBearer(app)
  const phone = await loginBearer(app, laptop.user.email)
  t.equal(phone.statusCode, 200)
  const reads = userReads(app)
  let res = await refreshBearer(app, laptop.refreshToken)
  t.equal(res.statusCode, 200)
  const { accessToken, refreshToken } = res.json()

  const revoked = await app.inject({ method: 'DELETE', url: `/auth/sessions/${jwtClaims(phone.json().refreshToken).sid}`, headers: { authorization: `Bearer ${accessToken}` } })
  t.equal(revoked.statusCode, 204)
  const before = reads.count
  t.equal(before, 2, "the session check and the revocation read the user; the refresh before them did not (the login's write left its state)")
  res = await refreshBearer(app, refreshToken)
  t.equal(res.statusCode, 200)
  t.equal(reads.count, before, "the refresh decides on the state the revocation's write left, without reading it")
  const stored = await app.mongo.collection('users').findOne({ email: laptop.user.email })
  t.equal(stored?.sessions.length, 1, 'and its write keeps the revocation')
})

t.test('REFRESH_STATE_CACHE_MB=0: every refresh reads the user', async t => {
  const { app: a } = await buildWithLogs(t, { REFRESH_STATE_CACHE_MB: 0 })
  let token = (await registerBearer(a)).refreshToken
  const reads = userReads(a)
  for (let i = 0; i < 3; i++) {
    const res = await refreshBearer(a, token)
    t.equal(res.statusCode, 200)
    token = res.json().refreshToken
  }
  t.equal(reads.count, 3)
})
