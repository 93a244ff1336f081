import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { BEARER, buildWithLogs, jwtClaims, loginBearer, newDbName, refreshBearer, registerBearer } from '../helper.js'

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

/** Counts `app`'s reads of users in this thread, where refresh runs (login runs in the auth thread). */
function countUserReads (app: FastifyInstance) {
  const collection = app.models.users.collection
  const findOne = collection.findOne
  const counter = { reads: 0 }
  collection.findOne = function (this: unknown, ...args: Parameters<typeof findOne>) {
    counter.reads++
    return findOne.apply(this, args)
  } as typeof findOne
  return counter
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
  const counter = countUserReads(a)
  const first = await registerBearer(a)
  let token = first.refreshToken

  const refreshOn = async (app: FastifyInstance) => {
    const res = await refreshBearer(app, token)
    t.equal(res.statusCode, 200)
    token = res.json().refreshToken
  }
  await refreshOn(a)
  t.equal(counter.reads, 1, 'the first refresh on this server reads the user')
  await refreshOn(a)
  await refreshOn(a)
  t.equal(counter.reads, 1, 'the next ones decide on the state their own write left')
  await refreshOn(b)
  await refreshOn(a)
  t.equal(counter.reads, 2, 'after a write elsewhere, one more read')
})

t.test('a write by the account routes keeps the state a refresh decides on current', async t => {
  const { app } = await buildWithLogs(t)
  const laptop = await registerBearer(app)
  const phone = await loginBearer(app, laptop.user.email)
  t.equal(phone.statusCode, 200)
  const counter = countUserReads(app)
  let res = await refreshBearer(app, laptop.refreshToken)
  t.equal(res.statusCode, 200)
  t.equal(counter.reads, 1, 'premise: the first refresh here reads the user (the logins ran in the auth thread)')
  const { accessToken, refreshToken } = res.json()

  const revoked = await app.inject({ method: 'DELETE', url: `/auth/sessions/${jwtClaims(phone.json().refreshToken).sid}`, headers: { authorization: `Bearer ${accessToken}` } })
  t.equal(revoked.statusCode, 204)
  const before = counter.reads
  res = await refreshBearer(app, refreshToken)
  t.equal(res.statusCode, 200)
  t.equal(counter.reads, before, "the refresh decides on the state the revocation's write left, without reading it")
  const stored = await app.mongo.collection('users').findOne({ email: laptop.user.email })
  t.equal(stored?.sessions.length, 1, 'and its write keeps the revocation')
})

t.test('REFRESH_STATE_CACHE_MB=0: every refresh reads the user', async t => {
  const { app: a } = await buildWithLogs(t, { REFRESH_STATE_CACHE_MB: 0 })
  const counter = countUserReads(a)
  let token = (await registerBearer(a)).refreshToken
  for (let i = 0; i < 3; i++) {
    const res = await refreshBearer(a, token)
    t.equal(res.statusCode, 200)
    token = res.json().refreshToken
  }
  t.equal(counter.reads, 3)
})
