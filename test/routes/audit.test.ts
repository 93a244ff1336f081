import t from 'tap'
import { BEARER, build, PASSWORD, refreshBearer, registerBearer, uniqueEmail, registerAdmin } from '../helper.js'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('security events are recorded and listed for admins', async t => {
  const app = await build(t, { REFRESH_GRACE_SECONDS: 0 })
  const admin = await registerAdmin(app, 'root@example.com')
  const u = await registerBearer(app)
  const headers = { ...BEARER, 'user-agent': 'AuditAgent/1' }

  await app.inject({ method: 'POST', url: '/auth/login', headers, payload: { email: u.user.email, password: 'wrong password' } })
  await app.inject({ method: 'POST', url: '/auth/login', headers, payload: { email: uniqueEmail(), password: 'wrong password' } })
  const session = (await app.inject({ method: 'POST', url: '/auth/login', headers, payload: { email: u.user.email, password: PASSWORD } })).json()
  await refreshBearer(app, session.refreshToken)
  await refreshBearer(app, session.refreshToken)
  await app.inject({ method: 'POST', url: '/auth/password', headers: auth(u.accessToken), payload: { currentPassword: PASSWORD, newPassword: 'another long password' } })
  const roles = await app.inject({ method: 'PUT', url: `/admin/users/${u.user.id}/roles`, headers: auth(admin.accessToken), payload: { roles: ['admin'] } })
  t.same(roles.json().user.roles, ['user', 'admin'])
  await app.inject({ method: 'POST', url: `/admin/users/${u.user.id}/revoke-sessions`, headers: auth(admin.accessToken) })

  const res = await app.inject({ method: 'GET', url: `/admin/audit?userId=${u.user.id}`, headers: auth(admin.accessToken) })
  t.equal(res.statusCode, 200)
  const types = res.json().events.map((e: { type: string }) => e.type)
  t.same(types, ['sessions.revoked_all', 'roles.changed', 'password.changed', 'refresh.reuse', 'login.success', 'login.failure'], 'newest first, filtered by user')
  const success = res.json().events.find((e: { type: string }) => e.type === 'login.success')
  t.match(success, { userId: u.user.id, sessionId: /^[0-9a-f]{32}$/, ip: '127.0.0.1', userAgent: 'AuditAgent/1' })
  t.match(res.json().events.find((e: { type: string }) => e.type === 'roles.changed'), { actorId: admin.user.id, detail: { from: ['user'], to: ['user', 'admin'] } })

  const all = await app.inject({ method: 'GET', url: '/admin/audit?limit=100', headers: auth(admin.accessToken) })
  t.ok(all.json().events.some((e: { type: string, userId: string | null }) => e.type === 'login.failure' && e.userId === null), 'failure on an unknown email has no user id')
  t.notOk(/password|argon2|eyJ/.test(JSON.stringify(all.json().events.map((e: { detail: unknown }) => e.detail))), 'no secrets in audit details')
  const page = await app.inject({ method: 'GET', url: '/admin/audit?limit=2&page=2', headers: auth(admin.accessToken) })
  t.equal(page.json().events.length, 2)
  t.equal(page.json().total, all.json().total)

  const forbidden = await app.inject({ method: 'GET', url: '/admin/audit', headers: auth(u.accessToken) })
  t.equal(forbidden.statusCode, 403, 'an old token (roles: user) of the promoted user gives no admin access')
})

t.test('events past the retention horizon are not listed and are pruned', async t => {
  const app = await build(t, { AUDIT_RETENTION_DAYS: 1 })
  const admin = await registerAdmin(app, 'root@example.com')
  await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: uniqueEmail(), password: 'wrong password' } })
  await app.mongo.collection('audit').updateMany({}, { $set: { at: new Date(Date.now() - 2 * 86400_000) } })
  const res = await app.inject({ method: 'GET', url: '/admin/audit', headers: auth(admin.accessToken) })
  t.equal(res.json().total, 0)
  t.equal(await app.auditLog.prune(), 2, "the failure and the admin's grant")
  t.equal(await app.mongo.collection('audit').countDocuments(), 0)
})
