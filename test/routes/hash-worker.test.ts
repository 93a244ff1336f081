import t from 'tap'
import { hashingLoad } from '../../src/lib/passwords.js'
import { BEARER, buildWithLogs, PASSWORD, uniqueEmail } from '../helper.js'

/** Resolves once a hash has been handed to the worker (it cannot answer: it is stopped). */
async function hashInFlight () {
  for (let i = 0; i < 100_000 && hashingLoad().active === 0; i++) await new Promise(resolve => setImmediate(resolve))
  return hashingLoad().active
}

t.test('a password worker that dies mid-registration: a 500 with a code, nothing left behind, and the next attempt works', async t => {
  // In process: the worker watched here is this thread's (the auth thread has its own).
  const { app, logs } = await buildWithLogs(t, { AUTH_THREAD: false })
  const email = uniqueEmail()
  const pid = hashingLoad().workerPid!
  t.ok(pid, 'the app started a worker')
  process.kill(pid, 'SIGSTOP') // holds the hash so the crash lands while it is in flight
  const pending = app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email, password: PASSWORD } })
  t.equal(await hashInFlight(), 1, 'the registration waits on the worker')
  process.kill(pid, 'SIGKILL')
  const res = await pending
  t.equal(res.statusCode, 500)
  t.match(res.json(), { code: 'INTERNAL_ERROR', message: 'Internal server error' })
  t.notOk(res.body.includes(PASSWORD))
  t.notOk(JSON.stringify(logs).includes(PASSWORD), 'the password is in no log line')
  t.equal(await app.mongo.collection('users').countDocuments({ email }), 0, 'no user written')

  const again = await app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email, password: PASSWORD } })
  t.equal(again.statusCode, 201, 'the same email registers: no stale claim, a new worker')
  t.not(hashingLoad().workerPid, pid)
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email, password: PASSWORD } })
  t.equal(login.statusCode, 200)
})
