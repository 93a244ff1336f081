import t from 'tap'
import { BEARER, build, loginBearer, PASSWORD, refreshBearer, registerBearer, uniqueEmail } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const PUBLIC_URL = 'https://auth.acme.dev'
const NEW_PASSWORD = 'a brand new passphrase'

async function setup (t: { teardown: (fn: () => unknown) => void }, overrides: Record<string, unknown> = {}) {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, PUBLIC_URL, ...overrides })
  const forgot = (email: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/auth/password/forgot', headers, payload: { email } })
  const reset = (token: string, newPassword = NEW_PASSWORD) =>
    app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token, newPassword } })
  return { smtp, app, forgot, reset }
}

t.test('forgot password mails a reset link built from PUBLIC_URL, whatever Host the request claims', async t => {
  const { smtp, app, forgot } = await setup(t)
  const { user } = await registerBearer(app)
  const res = await forgot(user.email, { host: 'evil.example', 'x-forwarded-host': 'evil.example' })
  t.equal(res.statusCode, 202)
  t.same(res.json(), {})
  const mail = await smtp.mailTo(user.email, /reset your password/)
  t.match(mail.text, new RegExp(`^${PUBLIC_URL}/reset-password#token=[A-Za-z0-9_-]{43}$`, 'm'), 'the text part carries the whole link')
  t.match(mail.html, `${PUBLIC_URL}/reset-password#token=`, 'so does the HTML part')
  t.notMatch(`${mail.text}${String(mail.html)}`, /evil/, 'nothing from the forged headers')
  const stored = await app.mongo.collection('one_time_tokens').find({}).toArray()
  t.notOk(JSON.stringify(stored).includes(tokenIn(mail, 'reset-password')), 'only the hash of the token is stored')
  const sent = await app.mongo.collection('outbox').findOne({ to: user.email, status: 'sent' })
  t.same([sent?.text, sent?.html], [null, null], 'the sent mail\'s body (and its link) is erased from the outbox')
})

t.test('an unknown email and a repeated request get the same 202, and no mail', async t => {
  const { smtp, app, forgot } = await setup(t)
  const { user } = await registerBearer(app)
  const unknown = uniqueEmail()
  const answers = [await forgot(unknown), await forgot(user.email), await forgot(user.email)]
  t.same(answers.map(a => [a.statusCode, a.body]), [[202, '{}'], [202, '{}'], [202, '{}']])
  await smtp.mailTo(user.email, /reset your password/)
  await app.emailService.settled()
  const outbox = app.mongo.collection('outbox')
  t.equal(await outbox.countDocuments({ to: unknown }), 0, 'nothing queued for an unknown email')
  t.equal(await outbox.countDocuments({ to: user.email, subject: /reset/ }), 1, 'one mail a minute: the second request queued none')
  t.notOk(smtp.inbox.some(m => JSON.stringify(m.to).includes(unknown)))
})

t.test('the 202 comes before any per-address work: a known and an unknown address cost the same until then', async t => {
  const { app, forgot } = await setup(t)
  const { user } = await registerBearer(app)
  const users = app.models.users.collection
  const findOne = users.findOne
  const held: string[] = []
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  // Every lookup of a user by address waits until the answers are in.
  users.findOne = async function (this: unknown, ...args: Parameters<typeof findOne>) {
    held.push(String((args[0] as { email?: unknown }).email))
    await gate
    return findOne.apply(this, args)
  } as typeof findOne
  t.teardown(() => { users.findOne = findOne })
  const unknown = uniqueEmail()
  const answers = [await forgot(user.email), await forgot(unknown)]
  t.same(answers.map(a => a.statusCode), [202, 202], 'both answered while their lookups were still held')
  t.equal(await app.mongo.collection('one_time_tokens').countDocuments({ purpose: 'password_reset' }), 0, 'no token yet')
  release()
  await app.emailService.settled()
  t.same(held.sort(), [user.email, unknown].sort(), 'premise: both lookups ran, after the answers')
  t.equal(await app.mongo.collection('one_time_tokens').countDocuments({ purpose: 'password_reset' }), 1, 'then the known address got its link')
})

t.test('a reset sets the password, ends every session, lifts the lock, voids other tokens, and logs nobody in', async t => {
  const { smtp, app, forgot, reset } = await setup(t, { LOGIN_MAX_FAILURES: 2 })
  const owner = await registerBearer(app)
  const verifyToken = tokenIn(await smtp.mailTo(owner.user.email, /confirm your email/), 'verify-email')
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: owner.user.email, password: 'wrong password!' } })
  t.equal((await loginBearer(app, owner.user.email)).statusCode, 429, 'premise: the account is locked')

  await forgot(owner.user.email)
  const token = tokenIn(await smtp.mailTo(owner.user.email, /reset your password/), 'reset-password')
  const res = await reset(token)
  t.equal(res.statusCode, 204)
  t.equal(res.headers['set-cookie'], undefined, 'no session started')
  t.equal(res.body, '')

  const again = await reset(token, 'yet another passphrase')
  t.same([again.statusCode, again.json().code], [400, 'AUTH_ONE_TIME_TOKEN_INVALID'], 'a token works once')
  const old = await refreshBearer(app, owner.refreshToken)
  t.equal(old.statusCode, 401, 'the old refresh token is dead')
  t.equal((await loginBearer(app, owner.user.email)).statusCode, 401, 'the old password no longer works')
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: owner.user.email, password: NEW_PASSWORD } })
  t.equal(login.statusCode, 200, 'the new password logs in: the lock is lifted')
  const verify = await app.inject({ method: 'POST', url: '/auth/email/verify', payload: { token: verifyToken } })
  t.same([verify.statusCode, verify.json().code], [400, 'AUTH_ONE_TIME_TOKEN_INVALID'], 'the outstanding verification token is void')
  t.equal(login.json().user.emailVerified, true, 'the link proved the mailbox: the address is verified')
  await smtp.mailTo(owner.user.email, /your password was set/)
  const events = await app.mongo.collection('audit').find({ type: 'password.reset' }).toArray()
  t.equal(events.length, 1, 'audited')
})

t.test('one token, two resets at once: exactly one wins', async t => {
  const { smtp, app, forgot, reset } = await setup(t)
  const { user } = await registerBearer(app)
  await forgot(user.email)
  const token = tokenIn(await smtp.mailTo(user.email, /reset your password/), 'reset-password')
  const answers = await Promise.all([reset(token, 'first racing passphrase'), reset(token, 'second racing passphrase')])
  t.same(answers.map(a => a.statusCode).sort(), [204, 400])
  const winner = answers[0]!.statusCode === 204 ? 'first racing passphrase' : 'second racing passphrase'
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: user.email, password: winner } })
  t.equal(login.statusCode, 200, "the winner's password is the one set")
})

t.test('unknown, malformed and expired tokens get the same 400; a weak password is a validation error', async t => {
  const { smtp, app, forgot, reset } = await setup(t, { RESET_TOKEN_TTL: '1s' })
  const { user } = await registerBearer(app)
  await forgot(user.email)
  const token = tokenIn(await smtp.mailTo(user.email, /reset your password/), 'reset-password')
  const weak = await reset(token, 'short')
  t.same([weak.statusCode, weak.json().code], [400, 'VALIDATION_ERROR'])
  for (const bad of ['x'.repeat(43), 'not a token', token.slice(0, -1)]) {
    const res = await reset(bad)
    t.same([res.statusCode, res.json().code], [400, 'AUTH_ONE_TIME_TOKEN_INVALID'], `token ${bad.slice(0, 12)}…`)
  }
  // Expired: moved into the past in the database rather than waited for.
  await app.mongo.collection('one_time_tokens').updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } })
  const expired = await reset(token)
  t.same([expired.statusCode, expired.json().code], [400, 'AUTH_ONE_TIME_TOKEN_INVALID'], 'expired')
  t.equal((await loginBearer(app, user.email)).statusCode, 200, 'the password is unchanged')
})

t.test('the reset page is served under the strict CSP, and a GET of a mailed link consumes nothing', async t => {
  const { smtp, app, forgot, reset } = await setup(t)
  const { user } = await registerBearer(app)
  await forgot(user.email)
  const token = tokenIn(await smtp.mailTo(user.email, /reset your password/), 'reset-password')
  for (const method of ['GET', 'HEAD'] as const) {
    const page = await app.inject({ method, url: `/reset-password?utm=mail#token=${token}` })
    t.equal(page.statusCode, 200, method)
    t.match(page.headers['content-security-policy'], /script-src 'self'/)
  }
  const page = await app.inject('/reset-password')
  t.match(page.body, /<template id="page-reset-password"/)
  t.equal((await app.inject('/pages/reset-password.js')).statusCode, 200)
  t.equal((await reset(token)).statusCode, 204, 'the token still works after the page was fetched')
})

t.test('a password change voids outstanding reset links', async t => {
  const { smtp, app, forgot, reset } = await setup(t)
  const { user, accessToken } = await registerBearer(app)
  await forgot(user.email)
  const token = tokenIn(await smtp.mailTo(user.email, /reset your password/), 'reset-password')
  const change = await app.inject({ method: 'POST', url: '/auth/password', headers: { authorization: `Bearer ${accessToken}` }, payload: { currentPassword: PASSWORD, newPassword: 'changed in the meantime' } })
  t.equal(change.statusCode, 204)
  t.equal((await reset(token)).json().code, 'AUTH_ONE_TIME_TOKEN_INVALID')
})
