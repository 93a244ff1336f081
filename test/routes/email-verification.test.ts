import t from 'tap'
import { BEARER, build, cookie, loginBearer, me, PASSWORD, registerBearer, uniqueEmail } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const PUBLIC_URL = 'https://auth.acme.dev'

async function setup (t: { teardown: (fn: () => unknown) => void }, overrides: Record<string, unknown> = {}) {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, PUBLIC_URL, ...overrides })
  const verify = (token: string) => app.inject({ method: 'POST', url: '/auth/email/verify', payload: { token } })
  return { smtp, app, verify }
}

t.test('registration mails a verification link; using it verifies the address, once', async t => {
  const { smtp, app, verify } = await setup(t)
  const { user, accessToken } = await registerBearer(app)
  t.equal(user.emailVerified, false)
  const mail = await smtp.mailTo(user.email, /confirm your email/)
  t.match(mail.text, new RegExp(`^${PUBLIC_URL}/verify-email#token=[A-Za-z0-9_-]{43}$`, 'm'))
  const token = tokenIn(mail, 'verify-email')

  const page = await app.inject({ method: 'GET', url: `/verify-email#token=${token}` })
  t.equal(page.statusCode, 200, 'the page a mail scanner would fetch…')
  t.equal((await me(app, accessToken)).json().user.emailVerified, false, '…changes nothing')

  const res = await verify(token)
  t.equal(res.statusCode, 200)
  t.match(res.json(), { user: { id: user.id, email: user.email, emailVerified: true } })
  t.equal(res.headers['set-cookie'], undefined, 'no session started')
  t.equal((await me(app, accessToken)).json().user.emailVerified, true)
  const again = await verify(token)
  t.same([again.statusCode, again.json().code], [400, 'AUTH_ONE_TIME_TOKEN_INVALID'], 'a second use fails')
  t.same([(await verify('x'.repeat(43))).json().code], ['AUTH_ONE_TIME_TOKEN_INVALID'], 'an unknown token too')
})

t.test('resending the link: silent within a minute, and nothing for a verified address', async t => {
  const { smtp, app, verify } = await setup(t)
  const { user, accessToken } = await registerBearer(app)
  const resend = () => app.inject({ method: 'POST', url: '/auth/email/verification', headers: { authorization: `Bearer ${accessToken}` } })
  const outbox = app.mongo.collection('outbox')
  const sent = () => outbox.countDocuments({ to: user.email, subject: /confirm your email/ })
  t.same([(await resend()).statusCode, await sent()], [202, 1], 'within a minute of registration: no second mail')
  // A minute later (moved back in the database, not waited for).
  await app.mongo.collection('mail_quotas').updateMany({}, { $set: { lastAt: new Date(Date.now() - 61_000) } })
  t.same([(await resend()).statusCode, await sent()], [202, 2], 'a minute later: a new link')
  const token = tokenIn(await smtp.mailTo(user.email, /confirm your email/), 'verify-email')
  t.equal((await verify(token)).statusCode, 200)
  await app.mongo.collection('mail_quotas').updateMany({}, { $set: { lastAt: new Date(Date.now() - 61_000) } })
  t.same([(await resend()).statusCode, await sent()], [202, 2], 'verified: no more mail')
  t.equal((await app.inject({ method: 'POST', url: '/auth/email/verification' })).json().code, 'AUTH_NO_TOKEN')
})

t.test('REQUIRE_EMAIL_VERIFICATION: registration starts no session, and login waits for the address', async t => {
  const { smtp, app, verify } = await setup(t, { REQUIRE_EMAIL_VERIFICATION: true })
  const email = uniqueEmail()
  for (const headers of [{}, BEARER]) {
    const address = headers === BEARER ? email : uniqueEmail()
    const res = await app.inject({ method: 'POST', url: '/auth/register', headers, payload: { email: address, password: PASSWORD } })
    t.equal(res.statusCode, 202)
    t.same(Object.keys(res.json()).sort(), ['tokenType', 'user'])
    t.match(res.json(), { tokenType: 'None', user: { email: address, emailVerified: false } })
    t.equal(res.headers['set-cookie'], undefined, 'no cookie')
  }
  const wrong = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email, password: 'not the password' } })
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_INVALID_CREDENTIALS'], 'a wrong password learns nothing about verification')
  const unverified = await loginBearer(app, email)
  t.same([unverified.statusCode, unverified.json().code], [403, 'AUTH_EMAIL_NOT_VERIFIED'], 'the right password, unverified')
  t.equal(cookie(unverified, 'access'), undefined)
  t.equal((await verify(tokenIn(await smtp.mailTo(email, /confirm your email/), 'verify-email'))).statusCode, 200)
  t.equal((await loginBearer(app, email)).statusCode, 200, 'verified: login works')
})

t.test('changing the email: confirm on the new address, notice on the old, then the address swaps', async t => {
  const { smtp, app, verify } = await setup(t)
  const { user, accessToken } = await registerBearer(app)
  const change = (newEmail: string, password = PASSWORD) => app.inject({
    method: 'POST', url: '/users/me/email', headers: { authorization: `Bearer ${accessToken}` }, payload: { newEmail, password }
  })
  const newEmail = uniqueEmail()
  const wrong = await change(newEmail, 'not the password')
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_WRONG_PASSWORD'])
  t.equal(await app.mongo.collection('login_attempts').countDocuments(), 1, 'counted by the login lock')

  t.equal((await change(` ${newEmail.toUpperCase()} `)).statusCode, 202)
  const confirm = await smtp.mailTo(newEmail, /confirm your new email/)
  const notice = await smtp.mailTo(user.email, /being changed/)
  t.match(notice.text, newEmail, 'the old address is told where to')
  t.equal((await me(app, accessToken)).json().user.email, user.email, 'nothing changes before the link is used')

  const changeToken = tokenIn(confirm, 'verify-email')
  const res = await verify(changeToken)
  t.equal(res.statusCode, 200)
  t.match(res.json().user, { email: newEmail, emailVerified: true })
  t.equal((await verify(changeToken)).json().code, 'AUTH_ONE_TIME_TOKEN_INVALID', 'the link works once')
  t.equal((await loginBearer(app, newEmail)).statusCode, 200, 'the new address logs in')
  t.equal((await loginBearer(app, user.email)).statusCode, 401, 'the old one no longer does')
  const reuse = await app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email: user.email, password: PASSWORD } })
  t.equal(reuse.statusCode, 201, 'the old address is free again')
  const taken = await app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email: newEmail, password: PASSWORD } })
  t.equal(taken.json().code, 'AUTH_EMAIL_TAKEN', 'the new one is claimed')
  t.equal((await app.mongo.collection('audit').countDocuments({ type: 'email.changed' })), 1)
})

t.test('changing to an address that has an account: the same 202, a mail to it, and nothing changes', async t => {
  const { smtp, app } = await setup(t)
  const { user, accessToken } = await registerBearer(app)
  const other = await registerBearer(app)
  const res = await app.inject({
    method: 'POST', url: '/users/me/email', headers: { authorization: `Bearer ${accessToken}` }, payload: { newEmail: other.user.email, password: PASSWORD }
  })
  t.same([res.statusCode, res.json()], [202, {}])
  const mail = await smtp.mailTo(other.user.email, /already has an account/)
  t.notMatch(mail.text, /#token=/, 'no link that could change anything')
  t.equal(await app.mongo.collection('one_time_tokens').countDocuments({ purpose: 'email_change' }), 0)
  t.equal((await me(app, accessToken)).json().user.email, user.email)
})

t.test('email-change confirmations have the per-address limit of the other link mails', async t => {
  const { app } = await setup(t)
  const target = uniqueEmail()
  const changes = []
  for (let i = 0; i < 3; i++) {
    const { accessToken } = await registerBearer(app)
    const res = await app.inject({ method: 'POST', url: '/users/me/email', headers: { authorization: `Bearer ${accessToken}` }, payload: { newEmail: target, password: PASSWORD } })
    changes.push(res.statusCode)
  }
  t.same(changes, [202, 202, 202], 'the same answer every time')
  const queued = await app.mongo.collection('outbox').countDocuments({ to: target })
  t.equal(queued, 1, 'one confirmation to that address a minute, from any number of accounts')
  t.equal(await app.mongo.collection('one_time_tokens').countDocuments({ purpose: 'email_change', email: target }), 1)
})
