import t from 'tap'
import { Types } from 'mongoose'
import { BEARER, build, cookie, PASSWORD, refreshBearer, registerBearer, uniqueEmail } from '../helper.js'

t.test('bearer logout revokes the session for good', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const other = (await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: a.user.email, password: PASSWORD } })).json()
  const res = await app.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: a.refreshToken } })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  const after = await refreshBearer(app, a.refreshToken)
  t.equal(after.statusCode, 401)
  t.equal(after.json().code, 'AUTH_INVALID_REFRESH_TOKEN')
  t.equal((await refreshBearer(app, other.refreshToken)).statusCode, 200, 'other sessions live on')
  const again = await app.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: a.refreshToken } })
  t.equal(again.statusCode, 204, 'idempotent')
})

t.test('cookie logout clears both cookies with matching attributes', async t => {
  const app = await build(t)
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
  const rt = cookie(reg, 'refresh')!
  const res = await app.inject({ method: 'POST', url: '/auth/logout', cookies: { [rt.name]: rt.value } })
  t.equal(res.statusCode, 204)
  const access = cookie(res, 'access')!
  const refresh = cookie(res, 'refresh')!
  t.match(access, { name: '__Host-access_token', value: '', path: '/', secure: true, httpOnly: true })
  t.match(refresh, { name: '__Secure-refresh_token', value: '' })
  t.same(res.cookies.filter(c => c.name === refresh.name).map(c => [c.path, c.value]), [['/auth/refresh', ''], ['/auth/logout', '']], 'at both paths that get it')
  t.ok(access.expires! <= new Date(), 'expired in the past')
  const refreshAfter = await app.inject({ method: 'POST', url: '/auth/refresh', cookies: { [rt.name]: rt.value } })
  t.equal(refreshAfter.json().code, 'AUTH_INVALID_REFRESH_TOKEN')
})

t.test('logout without or with a bad token still clears cookies', async t => {
  const app = await build(t)
  for (const cookies of [{}, { '__Secure-refresh_token': 'junk' }] as Array<Record<string, string>>) {
    const res = await app.inject({ method: 'POST', url: '/auth/logout', cookies })
    t.equal(res.statusCode, 204)
    t.same(res.cookies.map(c => `${c.name} ${c.path}`).sort(), ['__Host-access_token /', '__Secure-refresh_token /auth/logout', '__Secure-refresh_token /auth/refresh'])
  }
})

t.test('logout with an already-rotated token: reuse past the grace window, a logout within it', async t => {
  const audit = async (app: Awaited<ReturnType<typeof build>>, userId: string) =>
    (await app.mongo.collection('audit').find({ userId: new Types.ObjectId(userId) }).toArray()).map(e => [e.type, e.detail?.reason ?? e.detail?.via])

  const strict = await build(t, { REFRESH_GRACE_SECONDS: 0 })
  const a = await registerBearer(strict)
  const rotated = (await refreshBearer(strict, a.refreshToken)).json()
  const res = await strict.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: a.refreshToken } })
  t.equal(res.statusCode, 204, 'logout still answers 204')
  t.equal((await refreshBearer(strict, rotated.refreshToken)).json().code, 'AUTH_INVALID_REFRESH_TOKEN', 'the session is revoked')
  t.same(await audit(strict, a.user.id), [['refresh.reuse', 'logout']], 'audited as reuse, not as a logout')

  const lenient = await build(t, { REFRESH_GRACE_SECONDS: 60 })
  const b = await registerBearer(lenient)
  const successor = (await refreshBearer(lenient, b.refreshToken)).json()
  t.equal((await lenient.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: b.refreshToken } })).statusCode, 204)
  t.equal((await refreshBearer(lenient, successor.refreshToken)).json().code, 'AUTH_INVALID_REFRESH_TOKEN', 'the session is revoked')
  t.same(await audit(lenient, b.user.id), [['session.revoked', 'logout']], 'the predecessor within the grace window is the client\'s own: a logout')

  const c = await registerBearer(lenient)
  const forged = `${c.refreshToken.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`
  t.equal((await lenient.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: forged } })).statusCode, 204)
  t.equal((await refreshBearer(lenient, c.refreshToken)).statusCode, 200, 'a forged token revokes nothing')
})
