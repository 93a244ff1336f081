import t from 'tap'
import { build, refreshBearer, registerBearer } from '../helper.js'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('ADMIN_EMAILS grants admin at registration; others get 403 AUTH_FORBIDDEN', async t => {
  const app = await build(t, { ADMIN_EMAILS: 'Boss@Example.com' })
  const admin = await registerBearer(app, 'boss@example.com')
  const user = await registerBearer(app)
  t.same(admin.user, { ...admin.user, roles: ['user', 'admin'] })

  const forbidden = await app.inject({ method: 'GET', url: '/admin/users', headers: auth(user.accessToken) })
  t.equal(forbidden.statusCode, 403)
  t.same(forbidden.json(), { statusCode: 403, code: 'AUTH_FORBIDDEN', error: 'Forbidden', message: 'Forbidden' })
  t.equal((await app.inject({ method: 'GET', url: '/admin/users' })).json().code, 'AUTH_NO_TOKEN', '401 before 403')
})

t.test('GET /admin/users is paginated and leaks nothing', async t => {
  const app = await build(t, { ADMIN_EMAILS: 'root@example.com' })
  const admin = await registerBearer(app, 'root@example.com')
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
  const app = await build(t, { ADMIN_EMAILS: 'root@example.com' })
  const admin = await registerBearer(app, 'root@example.com')
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
