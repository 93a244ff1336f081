import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Types } from 'mongoose'
import { generate } from 'otplib'
import t from 'tap'
import { emailKey } from '../../models/email-claim.js'
import { LIMITED_MAILS } from '../../src/lib/mail-policy.js'
import { identityKey } from '../../models/identity.js'
import { passkeyKey } from '../../models/passkey.js'
import { BEARER, build, cookie, loginBearer, PASSWORD, refreshBearer, registerAdmin, registerBearer, registerVerified, uniqueEmail } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const auth = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })
const code = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) })
const META = { ip: '127.0.0.1', userAgent: 'test setup' }

const setRoles = (app: FastifyInstance, token: string, id: string, roles: string[]) =>
  app.inject({ method: 'PUT', url: `/admin/users/${id}/roles`, headers: auth(token), payload: { roles } })
const adminPost = (app: FastifyInstance, token: string, url: string) => app.inject({ method: 'POST', url, headers: auth(token) })
const deleteOwn = (app: FastifyInstance, token: string, payload: Record<string, unknown> = { password: PASSWORD }) =>
  app.inject({ method: 'POST', url: '/users/me/delete', headers: auth(token), payload })
const activeAdmins = (app: FastifyInstance) => app.mongo.collection('users').countDocuments({ roles: 'admin', disabledAt: null })

/** A user with an active authenticator; its session is aal2 after the refresh. */
async function withMfa (app: FastifyInstance) {
  const owner = await registerVerified(app)
  const { factorId, secret } = (await app.inject({ method: 'POST', url: '/auth/mfa/totp', headers: auth(owner.accessToken) })).json()
  const activated = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${factorId}/activate`, headers: auth(owner.accessToken), payload: { code: await code(secret) } })
  if (activated.statusCode !== 200) throw new Error(`activate: ${activated.body}`)
  const aal2 = (await refreshBearer(app, owner.refreshToken)).json()
  return { aal1: owner, aal2, secret: secret as string, recoveryCodes: activated.json().recoveryCodes as string[] }
}

/** An account without a password (a provider's sign-in), and a session of it. */
async function passwordless (app: FastifyInstance) {
  const profile = await app.authService.createAccount({ email: uniqueEmail(), name: '', passwordHash: null, emailVerified: true })
  const result = await app.authService.signInWith(profile._id.toHexString(), 'oauth', META, {})
  return { id: profile._id.toHexString(), email: profile.email, accessToken: result.tokens.accessToken, sessionId: result.sessionId }
}

t.test('the last active admin: demoting, disabling or deleting them is 409 AUTH_LAST_ADMIN', async t => {
  const app = await build(t)
  const a = await registerAdmin(app)
  const self = await setRoles(app, a.accessToken, a.user.id, ['user'])
  t.same([self.statusCode, self.json().code], [409, 'AUTH_LAST_ADMIN'], 'an admin demoting themselves')
  for (const url of [`/admin/users/${a.user.id}/disable`]) {
    const res = await adminPost(app, a.accessToken, url)
    t.same([res.statusCode, res.json().code], [409, 'AUTH_LAST_ADMIN'], 'disabling themselves')
  }
  const removed = await app.inject({ method: 'DELETE', url: `/admin/users/${a.user.id}`, headers: auth(a.accessToken) })
  t.same([removed.statusCode, removed.json().code], [409, 'AUTH_LAST_ADMIN'], 'deleting themselves')
  const own = await deleteOwn(app, a.accessToken)
  t.same([own.statusCode, own.json().code], [409, 'AUTH_LAST_ADMIN'], 'deleting their own account')
  t.equal((await me(app, a.accessToken)).statusCode, 200, 'nothing happened: the session lives on')
  t.same((await app.mongo.collection('users').findOne({ _id: new Types.ObjectId(a.user.id) }))?.roles, ['user', 'admin'])

  const b = await registerAdmin(app)
  const disabledB = await adminPost(app, a.accessToken, `/admin/users/${b.user.id}/disable`)
  t.equal(disabledB.statusCode, 204, 'another admin can be disabled while one remains')
  const again = await setRoles(app, a.accessToken, a.user.id, ['user'])
  t.same([again.statusCode, again.json().code], [409, 'AUTH_LAST_ADMIN'], 'a disabled admin is no admin left')
  t.equal((await adminPost(app, a.accessToken, `/admin/users/${b.user.id}/enable`)).statusCode, 204)
  const other = await setRoles(app, a.accessToken, b.user.id, ['user'])
  t.equal(other.statusCode, 200, 'demoting another admin while one remains')
  t.same(other.json().user.roles, ['user'])
  const c = await registerAdmin(app)
  t.equal((await setRoles(app, c.accessToken, a.user.id, ['user'])).statusCode, 200, 'c demotes a')
  const last = await setRoles(app, c.accessToken, c.user.id, [])
  t.same([last.statusCode, last.json().code], [409, 'AUTH_LAST_ADMIN'], 'and c is now the last')
  t.equal((await setRoles(app, c.accessToken, a.user.id, ['admin'])).statusCode, 200, 'granting is always allowed')
})

t.test('two admins demoting each other at once: never both succeed', async t => {
  const app = await build(t)
  for (let round = 0; round < 5; round++) {
    await app.mongo.collection('users').updateMany({}, { $set: { roles: ['user'] } })
    const [a, b] = await Promise.all([registerAdmin(app), registerAdmin(app)])
    const codes = (await Promise.all([setRoles(app, a.accessToken, b.user.id, ['user']), setRoles(app, b.accessToken, a.user.id, ['user'])])).map(r => r.statusCode)
    t.ok(codes.filter(c => c === 200).length <= 1, `round ${round}: ${codes}`)
    t.ok(codes.every(c => c === 200 || c === 409 || c === 401), `only 200, 409 or 401 (a demoted token): ${codes}`)
    t.ok(await activeAdmins(app) >= 1, 'an admin remains')
  }
})

t.test('GET /admin/users?email= finds users by the start of their address', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app, 'root@example.com')
  for (const email of ['alice@one.example', 'alicia@two.example', 'bob@one.example', 'al.ice@three.example', 'alxice@three.example']) await registerBearer(app, email)
  const search = async (q: string, extra = '') => (await app.inject({ url: `/admin/users?email=${encodeURIComponent(q)}${extra}`, headers: auth(admin.accessToken) })).json()
  t.same((await search('ali')).users.map((u: { email: string }) => u.email), ['alice@one.example', 'alicia@two.example'])
  t.equal((await search('ALI')).total, 2, 'case-insensitive')
  t.same((await search('al.')).users.map((u: { email: string }) => u.email), ['al.ice@three.example'], 'a dot is a dot, not any character')
  for (const q of ['.*', '(', '[a-z]', 'a|b', '\\', '$', '^bob']) t.equal((await search(q)).total, 0, `${q}: no match, no error`)
  const paged = await search('al', '&limit=2&page=2')
  t.match(paged, { total: 4, page: 2, limit: 2 })
  t.equal(paged.users.length, 2)
  t.match((await search('bob')).users, [{ email: 'bob@one.example', disabled: false, roles: ['user'] }])
  t.equal((await app.inject({ url: '/admin/users?email=', headers: auth(admin.accessToken) })).statusCode, 400, 'an empty prefix is a bad query')
  t.equal((await app.inject({ url: `/admin/users?email=${'a'.repeat(300)}`, headers: auth(admin.accessToken) })).statusCode, 400)
})

t.test('a disabled account: sessions revoked, no login, MFA verify or refresh; enabled again, it signs in', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app)
  const victim = await registerBearer(app)
  const second = (await loginBearer(app, victim.user.email)).json()
  const mfaUser = await withMfa(app)
  const pendingMfa = (await loginBearer(app, mfaUser.aal2.user.email)).json().mfa.token

  for (const id of [victim.user.id, mfaUser.aal2.user.id]) t.equal((await adminPost(app, admin.accessToken, `/admin/users/${id}/disable`)).statusCode, 204)
  t.equal((await adminPost(app, admin.accessToken, `/admin/users/${victim.user.id}/disable`)).statusCode, 204, 'idempotent')

  const refresh = await refreshBearer(app, second.refreshToken)
  t.same([refresh.statusCode, refresh.json().code], [403, 'AUTH_ACCOUNT_DISABLED'], 'refresh')
  const login = await loginBearer(app, victim.user.email)
  t.same([login.statusCode, login.json().code], [403, 'AUTH_ACCOUNT_DISABLED'], 'login with the right password')
  const wrong = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: victim.user.email, password: 'wrong password' } })
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_INVALID_CREDENTIALS'], 'after the password check: a guesser learns nothing')
  const verify = await app.inject({ method: 'POST', url: '/auth/mfa/verify', headers: BEARER, payload: { mfaToken: pendingMfa, code: mfaUser.recoveryCodes[0] } })
  t.same([verify.statusCode, verify.json().code], [401, 'AUTH_MFA_CHALLENGE_INVALID'], 'a challenge opened before dies with the credentials')
  const signIn = await app.authService.signInWith(victim.user.id, 'oauth', META, {}).catch((err: Error & { code?: string }) => err.code)
  t.equal(signIn, 'AUTH_ACCOUNT_DISABLED', 'a provider or passkey sign-in')
  const sensitive = await app.inject({ url: '/auth/sessions', headers: auth(victim.accessToken) })
  t.same([sensitive.statusCode, sensitive.json().code], [401, 'AUTH_SESSION_REVOKED'], 'sensitive routes refuse the old access token')
  t.same((await app.mongo.collection('users').findOne({ _id: new Types.ObjectId(victim.user.id) }))?.sessions, [], 'no session left')

  const listed = (await app.inject({ url: `/admin/users?email=${encodeURIComponent(victim.user.email)}`, headers: auth(admin.accessToken) })).json()
  t.equal(listed.users[0].disabled, true, 'the admin list shows it')

  t.equal((await adminPost(app, admin.accessToken, `/admin/users/${victim.user.id}/enable`)).statusCode, 204)
  t.equal((await loginBearer(app, victim.user.email)).statusCode, 200, 'enabled: signs in again')
  t.equal((await refreshBearer(app, second.refreshToken)).statusCode, 401, 'no old session comes back')
  const events = (await app.inject({ url: `/admin/audit?userId=${victim.user.id}`, headers: auth(admin.accessToken) })).json().events
  t.same(events.filter((e: { type: string }) => e.type.startsWith('account.')).map((e: { type: string, actorId: string }) => [e.type, e.actorId]),
    [['account.enabled', admin.user.id], ['account.disabled', admin.user.id], ['account.disabled', admin.user.id]], 'audited, with the admin as actor')

  for (const url of [`/admin/users/${'0'.repeat(24)}/disable`, `/admin/users/${'0'.repeat(24)}/enable`]) {
    const res = await adminPost(app, admin.accessToken, url)
    t.same([res.statusCode, res.json().code], [404, 'USER_NOT_FOUND'], url)
  }
  const forbidden = await adminPost(app, victim.accessToken, `/admin/users/${admin.user.id}/disable`)
  t.equal(forbidden.statusCode, 403, 'admins only')
})

/** Everything a user owns, in every collection, made through the API where it can be. */
async function populated (app: FastifyInstance, smtp: Awaited<ReturnType<typeof startSmtpSink>>) {
  const mfaUser = await withMfa(app)
  const { user } = mfaUser.aal2
  const userId = new Types.ObjectId(user.id)
  await app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'wrong password' } })
  await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: user.email } })
  const resetToken = tokenIn(await smtp.mailTo(user.email, /reset your password/), 'reset-password')
  await app.inject({ method: 'POST', url: '/users/me/email', headers: auth(mfaUser.aal2.accessToken), payload: { newEmail: 'pending.change@example.com', password: PASSWORD } })
  await app.inject({ method: 'POST', url: '/auth/passkeys/register/options', headers: auth(mfaUser.aal2.accessToken) })
  await app.models.identities.create({ _id: identityKey('https://idp.example', 'sub-1'), userId, provider: 'test', issuer: 'https://idp.example', subject: 'sub-1', email: user.email, createdAt: new Date(), lastUsedAt: new Date() })
  const publicKey = Buffer.from('a passkey public key, COSE-encoded').toString('base64url')
  await app.models.passkeys.create({ _id: passkeyKey('cred-1'), userId, credentialId: 'cred-1', publicKey, counter: 0, transports: ['internal'], backupEligible: false, backedUp: false, name: 'Laptop', createdAt: new Date(), lastUsedAt: null })
  await app.inject({ method: 'POST', url: '/auth/mfa/verify', headers: BEARER, payload: { mfaToken: (await loginBearer(app, user.email)).json().mfa.token, code: '000000' } })
  return { ...mfaUser, userId, resetToken, publicKey }
}

/** How many records of each collection still name the user (by id or address). */
async function leftovers (app: FastifyInstance, userId: Types.ObjectId, emails: string[]) {
  const db = app.mongo
  const byUser = { userId }
  const counts: Record<string, number> = {
    users: await db.collection('users').countDocuments({ _id: userId }),
    email_claims: await db.collection('email_claims').countDocuments({ _id: { $in: emails.map(emailKey) } }),
    outbox: await db.collection('outbox').countDocuments({ to: { $in: emails } }),
    mail_quotas: await db.collection('mail_quotas').countDocuments({ _id: { $in: emails.flatMap(e => LIMITED_MAILS.map(kind => emailKey(`${kind}:${e}`))) } }),
    login_attempts: await db.collection('login_attempts').countDocuments({ _id: { $in: [...emails.map(emailKey), emailKey(`mfa:${userId.toHexString()}`)] } }),
    oidc_transactions: await db.collection('oidc_transactions').countDocuments({ linkUserId: userId })
  }
  for (const name of ['mfa_factors', 'recovery_codes', 'mfa_challenges', 'passkeys', 'webauthn_challenges', 'identities', 'one_time_tokens']) {
    counts[name] = await db.collection(name).countDocuments(byUser)
  }
  return counts
}

t.test('DELETE /admin/users/:id removes everything the user owns and frees the address; the audit keeps a pseudonym', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, LOGIN_MAX_FAILURES: 100 })
  const admin = await registerAdmin(app)
  const victim = await populated(app, smtp)
  const { email } = victim.aal2.user
  const emails = [email, 'pending.change@example.com']
  await app.mongo.collection('outbox').insertOne({ to: email, subject: 'queued', text: 'a queued mail', html: null, status: 'pending', attempts: 0, nextAttemptAt: new Date(Date.now() + 3600_000), lockedUntil: null, lastError: null, createdAt: new Date(), sentAt: null })
  const before = await leftovers(app, victim.userId, emails)
  for (const [name, n] of Object.entries(before)) if (name !== 'oidc_transactions') t.ok(n > 0, `premise: ${name} holds the user's records (${n})`)
  const auditBefore = await app.mongo.collection('audit').countDocuments({ userId: victim.userId })

  const res = await app.inject({ method: 'DELETE', url: `/admin/users/${victim.userId}`, headers: auth(admin.accessToken) })
  t.equal(res.statusCode, 204)
  const after = await leftovers(app, victim.userId, emails)
  t.same(after, Object.fromEntries(Object.keys(after).map(k => [k, 0])), 'nothing of the user is left')
  t.equal((await refreshBearer(app, victim.aal2.refreshToken)).statusCode, 401, 'no session')

  const audit = await app.mongo.collection('audit').find().toArray()
  t.equal(audit.filter(e => String(e.userId) === String(victim.userId)).length, auditBefore + 1, 'the events stay, and the deletion is one more')
  t.notOk(JSON.stringify(audit).includes(email), 'no event names the address')
  t.notOk(JSON.stringify(audit).includes('pending.change@example.com'), 'nor the address it was changing to')
  const deleted = audit.find(e => e.type === 'account.deleted')
  t.match(deleted, { actorId: new Types.ObjectId(admin.user.id), detail: { email: /^hmac-sha256:[\w-]{43}$/ } })
  const failure = audit.find(e => e.type === 'login.failure')
  t.equal(failure?.detail.email, deleted?.detail.email, 'one address, one pseudonym: events stay linkable')

  const again = await registerBearer(app, email)
  t.equal(again.user.email, email, 'the address can be registered again')
  t.not(again.user.id, String(victim.userId))
  const verification = await app.mongo.collection('one_time_tokens').countDocuments({ userId: new Types.ObjectId(again.user.id), purpose: 'verify_email' })
  t.equal(verification, 1, 'and gets its verification mail at once: the deleted account\'s mail quota went with it')
  t.equal((await app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token: victim.resetToken, newPassword: 'a new password here' } })).json().code, 'AUTH_ONE_TIME_TOKEN_INVALID', 'the old reset link is dead')
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: BEARER, payload: { refreshToken: victim.aal2.refreshToken } })).statusCode, 204, 'a logout of the deleted account is still 204')
  const missing = await app.inject({ method: 'DELETE', url: `/admin/users/${victim.userId}`, headers: auth(admin.accessToken) })
  t.same([missing.statusCode, missing.json().code], [404, 'USER_NOT_FOUND'])
})

t.test('POST /users/me/delete: a recent authentication or the password, aal2 with a second factor', async t => {
  const app = await build(t)
  await registerAdmin(app)
  const plain = await registerBearer(app)
  const wrong = await deleteOwn(app, plain.accessToken, { password: 'wrong password' })
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_WRONG_PASSWORD'])
  t.equal(await app.mongo.collection('login_attempts').countDocuments({ _id: emailKey(plain.user.email) }), 1, 'counted toward the login lock')
  await app.mongo.collection('users').updateOne({ email: plain.user.email }, { $set: { 'sessions.0.authTime': new Date(Date.now() - 6 * 60_000) } })
  const none = await deleteOwn(app, plain.accessToken, {})
  t.same([none.statusCode, none.json().code, none.json().methods], [403, 'AUTH_STEP_UP_REQUIRED', ['password']], 'no password, and a sign-in over 5 minutes ago: re-authenticate first')
  const renewed = await app.inject({ method: 'POST', url: '/auth/reauthenticate', headers: { ...BEARER, ...auth(plain.accessToken) }, payload: { password: PASSWORD } })
  t.equal(renewed.statusCode, 200)
  t.equal((await deleteOwn(app, renewed.json().accessToken, {})).statusCode, 204, 'after re-authenticating, no password is needed')

  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: PASSWORD } })
  const access = cookie(reg, 'access')!
  const done = await app.inject({ method: 'POST', url: '/users/me/delete', cookies: { [access.name]: access.value }, payload: { password: PASSWORD } })
  t.equal(done.statusCode, 204)
  t.same(done.cookies.filter(c => c.value === '').map(c => `${c.name} ${c.path}`).sort(), ['__Host-access_token /', '__Secure-refresh_token /auth/logout', '__Secure-refresh_token /auth/refresh'], 'the cookies are cleared')
  const email = reg.json().user.email
  t.equal(await app.mongo.collection('users').countDocuments({ email }), 0, 'deleted')
  t.match(await app.mongo.collection('outbox').findOne({ to: email }), { subject: /your account was deleted/ }, 'the old address gets a notice')
  t.equal((await app.inject({ url: '/users/me', cookies: { [access.name]: access.value } })).json().code, 'AUTH_INVALID_TOKEN', 'the token of a deleted account is no credential')

  const mfaUser = await withMfa(app)
  const aal1 = await deleteOwn(app, mfaUser.aal1.accessToken)
  t.same([aal1.statusCode, aal1.json().code], [403, 'AUTH_STEP_UP_REQUIRED'], 'a second factor needs an aal2 session')
  t.equal((await deleteOwn(app, mfaUser.aal2.accessToken)).statusCode, 204, 'aal2 and the password')

  const fresh = await passwordless(app)
  const stale = await passwordless(app)
  await app.mongo.collection('users').updateOne({ _id: new Types.ObjectId(stale.id) }, { $set: { 'sessions.0.authTime': new Date(Date.now() - 6 * 60_000) } })
  const old = await deleteOwn(app, stale.accessToken, {})
  t.same([old.statusCode, old.json().code, old.json().methods], [403, 'AUTH_STEP_UP_REQUIRED', []], 'without a password: signed in more than 5 minutes ago, and no way but a new sign-in')
  t.equal((await deleteOwn(app, fresh.accessToken, {})).statusCode, 204, 'without a password: a sign-in minutes ago')
  t.equal(await app.mongo.collection('users').countDocuments({ _id: new Types.ObjectId(fresh.id) }), 0)
  t.equal(await app.mongo.collection('users').countDocuments({ _id: new Types.ObjectId(stale.id) }), 1)
})

t.test('PATCH /users/me sets the name', async t => {
  const app = await build(t)
  const a = await registerBearer(app)
  const res = await app.inject({ method: 'PATCH', url: '/users/me', headers: auth(a.accessToken), payload: { name: '  Ada Lovelace ' } })
  t.equal(res.statusCode, 200)
  t.same(res.json().user, { ...a.user, name: 'Ada Lovelace' })
  t.equal((await me(app, a.accessToken)).json().user.name, 'Ada Lovelace')
  for (const payload of [{ name: 'x'.repeat(101) }, {}, { name: 5 }]) {
    const bad = await app.inject({ method: 'PATCH', url: '/users/me', headers: auth(a.accessToken), payload })
    t.same([bad.statusCode, bad.json().code], [400, 'VALIDATION_ERROR'], JSON.stringify(payload).slice(0, 30))
  }
  const other = await app.inject({ method: 'PATCH', url: '/users/me', headers: auth(a.accessToken), payload: { name: 'Ada', roles: ['admin'], email: 'x@example.com' } })
  t.same(other.json().user, { ...a.user, name: 'Ada' }, 'other fields are ignored')
})

t.test('GET /users/me/export: an attachment with the user\'s data and none of its secrets', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, LOGIN_MAX_FAILURES: 100 })
  const owner = await populated(app, smtp)
  const rotated = (await refreshBearer(app, owner.aal2.refreshToken)).json()
  const res = await app.inject({ url: '/users/me/export', headers: auth(rotated.accessToken) })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['content-disposition'], 'attachment; filename="account-export.json"')
  const data = res.json()
  t.same(Object.keys(data).sort(), ['auditEvents', 'exportedAt', 'identities', 'mfa', 'passkeys', 'sessions', 'user'])
  t.match(data.user, { id: owner.aal2.user.id, email: owner.aal2.user.email, hasPassword: true })
  t.match(data.sessions, [{ current: true, userAgent: String, ip: String }])
  t.match(data.identities, [{ provider: 'test', email: owner.aal2.user.email }])
  t.match(data.passkeys, [{ name: 'Laptop' }])
  t.match(data.mfa, { factors: [{ type: 'totp' }], recoveryCodesLeft: 10 })
  t.ok(data.auditEvents.some((e: { type: string }) => e.type === 'mfa.enabled'), 'the user\'s own audit events')
  t.notOk(data.auditEvents.some((e: { userId: string }) => e.userId !== owner.aal2.user.id), 'and no one else\'s')

  const db = app.mongo
  const user = await db.collection('users').findOne({ _id: owner.userId })
  const secrets: Record<string, string | undefined> = {
    password: PASSWORD,
    'password hash': user?.passwordHash,
    'argon2 prefix': '$argon2id$',
    'access token': rotated.accessToken,
    'refresh token': rotated.refreshToken,
    'previous refresh token': owner.aal2.refreshToken,
    'TOTP secret': owner.secret,
    'sealed TOTP secret': (await db.collection('mfa_factors').findOne({ userId: owner.userId }))?.secretSealed,
    'passkey public key': owner.publicKey,
    'reset link token': owner.resetToken
  }
  for (const [i, s] of (user?.sessions ?? []).entries()) Object.assign(secrets, { [`session ${i} token hash`]: s.tokenHash, [`session ${i} previous hash`]: s.prevHash ?? undefined })
  for (const [i, c] of owner.recoveryCodes.entries()) secrets[`recovery code ${i}`] = c
  for (const [i, r] of (await db.collection('recovery_codes').find({ userId: owner.userId }).toArray()).entries()) secrets[`recovery code hash ${i}`] = r.codeHash
  for (const [i, o] of (await db.collection('one_time_tokens').find({ userId: owner.userId }).toArray()).entries()) secrets[`one-time token hash ${i}`] = o.tokenHash
  for (const [i, c] of (await db.collection('mfa_challenges').find({ userId: owner.userId }).toArray()).entries()) secrets[`MFA challenge ${i}`] = c.tokenHash
  for (const [name, secret] of Object.entries(secrets)) {
    t.ok(secret, `premise: ${name} exists`)
    if (secret) t.notOk(res.body.includes(secret), `the export holds no ${name}`)
  }
  t.comment(`export fields: ${Object.entries(data).map(([k, v]) => Array.isArray(v) ? `${k}[${v.length}]` : k).join(', ')}`)

  const codes = []
  for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/users/me/export', headers: auth(rotated.accessToken) })).statusCode)
  t.same(codes, [200, 200, 200, 200, 429], 'five a minute per client')
  const events = await db.collection('audit').countDocuments({ userId: owner.userId, type: 'account.exported' })
  t.equal(events, 5, 'each export is audited')
})

function me (app: FastifyInstance, token: string) {
  return app.inject({ url: '/users/me', headers: auth(token) })
}

t.test('a change that leaves no admin because another landed meanwhile is undone: 409 AUTH_LAST_ADMIN', async t => {
  const app = await build(t)
  const users = app.models.users.collection
  const [a, b] = [await registerAdmin(app), await registerAdmin(app)]
  /** Runs `request` while, right after its own write, the other admin is demoted (their concurrent request). */
  async function whileDemoted (otherId: string, request: () => Promise<LightMyRequestResponse>) {
    const updateOne = users.updateOne
    users.updateOne = async function (this: unknown, ...args: Parameters<typeof updateOne>) {
      const result = await updateOne.apply(this, args)
      users.updateOne = updateOne
      await updateOne.call(users, { _id: new Types.ObjectId(otherId) }, { $set: { roles: ['user'] } })
      return result
    } as typeof updateOne
    try {
      return await request()
    } finally {
      users.updateOne = updateOne
    }
  }
  const role = async (id: string) => (await users.findOne({ _id: new Types.ObjectId(id) }))?.roles
  const demote = await whileDemoted(a.user.id, () => setRoles(app, a.accessToken, b.user.id, ['user']))
  t.same([demote.statusCode, demote.json().code], [409, 'AUTH_LAST_ADMIN'])
  t.same(await role(b.user.id), ['user', 'admin'], 'b got the role back')

  await users.updateOne({ _id: new Types.ObjectId(a.user.id) }, { $set: { roles: ['user', 'admin'] } })
  const fresh = (await loginBearer(app, a.user.email)).json()
  const disable = await whileDemoted(a.user.id, () => adminPost(app, fresh.accessToken, `/admin/users/${b.user.id}/disable`))
  t.same([disable.statusCode, disable.json().code], [409, 'AUTH_LAST_ADMIN'])
  t.equal((await users.findOne({ _id: new Types.ObjectId(b.user.id) }))?.disabledAt, null, 'b is enabled again')
  t.ok(await activeAdmins(app) >= 1)
})
