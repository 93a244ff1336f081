import t from 'tap'
import { emailKey } from '../../models/email-claim.js'
import { build, holdHashing, PASSWORD, recordFindOne, registerBearer, uniqueEmail } from '../helper.js'

t.test('per-account throttling: 429 with Retry-After after LOGIN_MAX_FAILURES, reset by success', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 3 })
  const { user } = await registerBearer(app)
  const login = (password: string, email = user.email) => app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } })
  const userReads = recordFindOne(app.models.users.collection)

  const codes = []
  for (let i = 0; i < 3; i++) codes.push((await login('wrong password')).statusCode)
  t.same(codes, [401, 401, 401], 'the failures themselves are ordinary 401s')
  t.equal(userReads.length, 3, 'premise: each checked attempt read the user')

  const locked = await login(PASSWORD)
  t.equal(userReads.length, 3, 'a refused attempt reads no user (a locked account costs one lock read per try)')
  t.equal(locked.statusCode, 429, 'even the right password is refused while locked')
  t.equal(locked.json().code, 'AUTH_TOO_MANY_ATTEMPTS')
  const retryAfter = Number(locked.headers['retry-after'])
  t.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}s: the first lock lasts 15 minutes`)

  const other = await registerBearer(app)
  t.equal((await login(PASSWORD, other.user.email)).statusCode, 200, 'other accounts are unaffected')

  // Let the lock expire without sleeping.
  await app.mongo.collection('login_attempts').updateMany({}, { $set: { lockedUntil: new Date(Date.now() - 1) } })
  t.equal((await login(PASSWORD)).statusCode, 200, 'after the lock, the right password works')
  t.equal(await app.mongo.collection('login_attempts').countDocuments(), 0, 'success resets the counter')
  t.equal((await login('wrong password')).statusCode, 401, 'a fresh failure after reset is a 401 again')
})

t.test('concurrent guesses get no more answers than LOGIN_MAX_FAILURES allows', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 3, HASH_CONCURRENCY: 1 })
  const { user } = await registerBearer(app)
  const login = (password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } })
  // Every guess passes the lock check before the first one's password check ends; the right
  // password is checked last, after six wrong ones.
  const hold = holdHashing(app, 4)
  const wrong = Array.from({ length: 6 }, (_, i) => login(`wrong password ${i}`))
  await hold.queued(6)
  const right = login(PASSWORD)
  await hold.queued(7)
  t.ok(hold.done < 4, 'premise: all seven were checked against the lock before any failed')

  const codes = (await Promise.all(wrong)).map(r => r.statusCode)
  t.equal(codes.filter(c => c === 401).length, 3, `three wrong answers, then the lock: ${codes}`)
  t.equal(codes.filter(c => c === 429).length, 3)
  const late = await right
  t.equal(late.statusCode, 429, 'the right password, checked after the lock, is refused like a wrong one')
  t.equal(late.json().code, 'AUTH_TOO_MANY_ATTEMPTS')
  const doc = await app.mongo.collection('users').findOne({ email: user.email })
  t.equal(doc?.sessions.length, 1, 'no session but the registration\'s')
})

t.test('the password change checks the current password under the same lock', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 3 })
  const { user, accessToken } = await registerBearer(app)
  const change = (currentPassword: string) => app.inject({ method: 'POST', url: '/auth/password', headers: { authorization: `Bearer ${accessToken}` }, payload: { currentPassword, newPassword: 'a brand new password' } })
  const codes = []
  for (let i = 0; i < 3; i++) codes.push((await change(`wrong guess ${i}`)).statusCode)
  t.same(codes, [401, 401, 401], 'wrong current passwords are counted')
  const locked = await change(PASSWORD)
  t.equal(locked.statusCode, 429, 'a stolen session guesses no faster than a login')
  t.equal(locked.json().code, 'AUTH_TOO_MANY_ATTEMPTS')
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: PASSWORD } })
  t.equal(login.statusCode, 429, 'the login shares the lock')

  await app.mongo.collection('login_attempts').updateMany({}, { $set: { lockedUntil: new Date(Date.now() - 1) } })
  t.equal((await change(PASSWORD)).statusCode, 204, 'after the lock, the right current password changes it')
  t.equal(await app.mongo.collection('login_attempts').countDocuments(), 0, 'and resets the count')
})

t.test('back-off grows and unknown emails are throttled the same way (no enumeration)', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 2 })
  const ghost = uniqueEmail()
  const login = () => app.inject({ method: 'POST', url: '/auth/login', payload: { email: ghost, password: PASSWORD } })
  await login()
  await login()
  const first = await login()
  t.equal(first.statusCode, 429)
  const firstWait = Number(first.headers['retry-after'])
  await app.mongo.collection('login_attempts').updateMany({}, { $set: { lockedUntil: new Date(Date.now() - 1) } })
  t.equal((await login()).statusCode, 401, 'after the lock, a new round of failures')
  t.equal((await login()).statusCode, 401, 'whose last one sets the next lock')
  const second = await login()
  t.equal(second.statusCode, 429)
  t.ok(Number(second.headers['retry-after']) > 29 * 60 && Number(second.headers['retry-after']) > firstWait, 'the next lock is twice as long: the streak outlived the first lock')
})

t.test('old failures are forgotten after a quiet day', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 2 })
  const { user } = await registerBearer(app)
  const login = (password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } })
  await login('wrong password')
  await app.mongo.collection('login_attempts').updateMany({}, { $set: { lastFailureAt: new Date(Date.now() - 23 * 3600_000) } })
  t.equal((await login('wrong password')).statusCode, 401)
  t.equal((await login(PASSWORD)).statusCode, 429, 'two failures 23 hours apart are one streak, and lock')
  await app.mongo.collection('login_attempts').updateMany({}, { $set: { lastFailureAt: new Date(Date.now() - 25 * 3600_000), lockedUntil: null, failures: 1 } })
  t.equal((await login('wrong password')).statusCode, 401)
  t.equal((await login(PASSWORD)).statusCode, 200, 'two failures a quiet day apart do not lock')
})

t.test('records of emails nobody tries again are pruned once they can no longer count or lock', async t => {
  const app = await build(t)
  const attempts = app.mongo.collection('login_attempts')
  const [sprayed, recent] = [uniqueEmail(), uniqueEmail()]
  for (const email of [sprayed, recent]) {
    t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong password' } })).statusCode, 401)
  }
  t.equal(await attempts.countDocuments(), 2, 'each failure left a record')
  t.equal(await app.loginThrottle.prune(), 0, 'nothing to prune while both can still count')
  await attempts.updateOne({ _id: emailKey(sprayed) }, { $set: { lastFailureAt: new Date(Date.now() - 24 * 3600_000 - 60_000) } })
  t.equal(await app.loginThrottle.prune(), 1, 'the record past the window is deleted')
  t.same((await attempts.find().toArray()).map(d => String(d._id)), [String(emailKey(recent))], 'the recent one stays')
  const ttl = (await attempts.indexes()).find(i => i.name === 'lastFailureAt_ttl')
  t.equal(ttl?.expireAfterSeconds, 24 * 3600, 'real MongoDB expires them too (TTL index)')
})

t.test('bursts of 11 wrong guesses and the right password get at most LOGIN_MAX_FAILURES real answers', async t => {
  const app = await build(t)
  const max = app.config.LOGIN_MAX_FAILURES
  const { user } = await registerBearer(app)
  const login = (password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } })
  const outcomes: string[] = []
  for (let burst = 0; burst < 20; burst++) {
    await app.loginThrottle.clear(user.email)
    const wrong = Array.from({ length: 11 }, (_, i) => login(`wrong guess ${burst}.${i}`))
    const right = login(PASSWORD)
    const codes = (await Promise.all(wrong)).map(r => r.statusCode)
    const real = codes.filter(c => c === 401).length
    t.ok(real <= max, `burst ${burst}: ${real} real answers (limit ${max})`)
    t.equal(real + codes.filter(c => c === 429).length, 11, 'every other guess met the lock')
    const rightCode = (await right).statusCode
    t.ok(rightCode === 200 || rightCode === 429, `the right password: ${rightCode}`)
    outcomes.push(`${real}/${rightCode}`)
    const record = await app.mongo.collection('login_attempts').findOne({ _id: emailKey(user.email) })
    t.equal(record?.failures, real, 'each real answer was counted once, and no success erased the burst')
  }
  t.comment(`real answers / the right password, per burst: ${outcomes.join(' ')}`)
})

t.test('a failure that loses every compare-and-swap is refused like a locked attempt, and not counted', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 3 })
  const { user } = await registerBearer(app)
  const attempts = app.models.attempts.collection
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'wrong password' } })).statusCode, 401)
  // Another failure lands between every read and write of this one.
  const updateOne = attempts.updateOne
  attempts.updateOne = async function (this: unknown, ...args: Parameters<typeof updateOne>) {
    await updateOne.call(attempts, { _id: emailKey(user.email) }, { $set: { lastFailureAt: new Date() } })
    return updateOne.apply(this, args)
  } as typeof updateOne
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'wrong password' } })
  attempts.updateOne = updateOne
  t.equal(res.statusCode, 429)
  t.equal(res.json().code, 'AUTH_TOO_MANY_ATTEMPTS')
  t.ok(Number(res.headers['retry-after']) > 0)
  t.equal((await attempts.findOne({ _id: emailKey(user.email) }))?.failures, 1, 'the refused attempt was not counted')
})
