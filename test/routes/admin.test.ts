import t from 'tap'
import { build, PASSWORD, refreshBearer, registerBearer, registerAdmin } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('ADMIN_EMAILS grants admin once the address is verified; others get 403 AUTH_FORBIDDEN', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { ADMIN_EMAILS: 'Boss@Example.com', SMTP_URL: smtp.url })
  const boss = await registerBearer(app, 'boss@example.com')
  t.same(boss.user.roles, ['user'], 'registering the address is not proving it: whoever registers first gets no admin')
  t.equal((await app.inject({ method: 'GET', url: '/admin/users', headers: auth(boss.accessToken) })).statusCode, 403)

  const verified = await app.inject({ method: 'POST', url: '/auth/email/verify', headers: auth(boss.accessToken), payload: { token: tokenIn(await smtp.mailTo('boss@example.com', /confirm your email/), 'verify-email') } })
  t.same(verified.json().user.roles, ['user', 'admin'], 'granted at verification, opened signed in to the account')
  const admin = (await refreshBearer(app, boss.refreshToken)).json()
  t.same(admin.user.roles, ['user', 'admin'], 'the next token carries it')
  t.equal((await app.inject({ method: 'GET', url: '/admin/users', headers: auth(admin.accessToken) })).statusCode, 200)
  const events = (await app.inject({ method: 'GET', url: '/admin/audit', headers: auth(admin.accessToken) })).json().events
  t.match(events.find((e: { type: string }) => e.type === 'roles.changed'), { userId: boss.user.id, actorId: null, detail: { to: ['user', 'admin'], via: 'ADMIN_EMAILS' } })

  const user = await registerBearer(app)
  const forbidden = await app.inject({ method: 'GET', url: '/admin/users', headers: auth(user.accessToken) })
  t.equal(forbidden.statusCode, 403)
  t.same(forbidden.json(), { statusCode: 403, code: 'AUTH_FORBIDDEN', error: 'Forbidden', message: 'Forbidden' })
  t.equal((await app.inject({ method: 'GET', url: '/admin/users' })).json().code, 'AUTH_NO_TOKEN', '401 before 403')

  // Opened signed out, the link proves the mailbox, not that its owner registered the account.
  const app3 = await build(t, { ADMIN_EMAILS: 'boss2@example.com', SMTP_URL: smtp.url })
  const target = await registerBearer(app3, 'boss2@example.com')
  const signedOut = await app3.inject({ method: 'POST', url: '/auth/email/verify', payload: { token: tokenIn(await smtp.mailTo('boss2@example.com', /confirm your email/), 'verify-email') } })
  t.match(signedOut.json().user, { emailVerified: true, roles: ['user'] }, 'signed out: verified, no role')
  t.same((await refreshBearer(app3, target.refreshToken)).json().user.roles, ['user'], 'the registrant did not become admin')
  const forgot = await app3.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: 'boss2@example.com' } })
  t.equal(forgot.statusCode, 202)
  const reset = await app3.inject({ method: 'POST', url: '/auth/password/reset', payload: { token: tokenIn(await smtp.mailTo('boss2@example.com', /reset your password/), 'reset-password'), newPassword: 'the owner claims it' } })
  t.equal(reset.statusCode, 204)
  const owner = await app3.inject({ method: 'POST', url: '/auth/login', headers: { 'x-auth-mode': 'bearer' }, payload: { email: 'boss2@example.com', password: 'the owner claims it' } })
  t.same(owner.json().user.roles, ['user', 'admin'], 'a password reset proves mailbox and account: granted')

  // An address changed to an ADMIN_EMAILS one is granted when the new address is proven.
  const app2 = await build(t, { ADMIN_EMAILS: 'ops@example.com', SMTP_URL: smtp.url })
  const mover = await registerBearer(app2)
  t.equal((await app2.inject({ method: 'POST', url: '/users/me/email', headers: auth(mover.accessToken), payload: { newEmail: 'ops@example.com', password: PASSWORD } })).statusCode, 202)
  const changed = await app2.inject({ method: 'POST', url: '/auth/email/verify', payload: { token: tokenIn(await smtp.mailTo('ops@example.com', /confirm your new email/), 'verify-email') } })
  t.match(changed.json().user, { email: 'ops@example.com', roles: ['user', 'admin'] })
})

t.test('GET /admin/users is paginated and leaks nothing', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app, 'root@example.com')
  for (let i = 0; i < 4; i++) await registerBearer(app)
  const page1 = await app.inject({ method: 'GET', url: '/admin/users?limit=2', headers: auth(admin.accessToken) })
  t.equal(page1.statusCode, 200)
  t.match(page1.json(), { total: 5, page: 1, limit: 2 })
  t.equal(page1.json().users.length, 2)
  t.equal(page1.json().users[0].email, 'root@example.com', 'oldest first')
  const page3 = await app.inject({ method: 'GET', url: '/admin/users?limit=2&page=3', headers: auth(admin.accessToken) })
  t.equal(page3.json().users.length, 1)
  const ids = new Set([...page1.json().users, ...page3.json().users].map((u: { id: string }) => u.id))
  t.equal(ids.size, 3, 'pages do not overlap')
  t.notOk(/passwordHash|argon2|tokenHash|sessions/.test(page1.body))
  const inert = await app.inject({ method: 'GET', url: '/admin/users?limit[$gt]=1&page[$ne]=2', headers: auth(admin.accessToken) })
  t.match(inert.json(), { page: 1, limit: 20, total: 5 }, 'bracket keys are not parsed into operators; stripped')
  for (const q of ['limit=0', 'limit=1000', 'page=0', 'page=x', 'limit=1&limit=2']) {
    const res = await app.inject({ method: 'GET', url: `/admin/users?${q}`, headers: auth(admin.accessToken) })
    t.equal(res.statusCode, 400, q)
    t.equal(res.json().code, 'VALIDATION_ERROR', q)
  }
})

t.test('POST /admin/users/:id/revoke-sessions', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app, 'root@example.com')
  const victim = await registerBearer(app)
  const res = await app.inject({ method: 'POST', url: `/admin/users/${victim.user.id}/revoke-sessions`, headers: auth(admin.accessToken) })
  t.equal(res.statusCode, 204)
  t.equal((await refreshBearer(app, victim.refreshToken)).statusCode, 401)
  const missing = await app.inject({ method: 'POST', url: `/admin/users/${'0'.repeat(24)}/revoke-sessions`, headers: auth(admin.accessToken) })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'USER_NOT_FOUND')
  const bad = await app.inject({ method: 'POST', url: '/admin/users/not-an-id/revoke-sessions', headers: auth(admin.accessToken) })
  t.equal(bad.statusCode, 400)
  t.equal((await refreshBearer(app, admin.refreshToken)).statusCode, 200, "the admin's own session is untouched")
})
