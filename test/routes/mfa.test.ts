import type { FastifyInstance } from 'fastify'
import { generate } from 'otplib'
import t from 'tap'
import { BEARER, build, buildWithLogs, cookie, jwtClaims, loginBearer, PASSWORD, refreshBearer, registerVerified, registerAdmin } from '../helper.js'

/** The code of the step `offset` steps from now: the test's clock, injected into otplib. */
const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })
const auth = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })

/** A user with an active authenticator; `accessToken`/`refreshToken` are of the enrolling session. */
async function withMfa (app: FastifyInstance) {
  const owner = await registerVerified(app)
  const enrolled = await app.inject({ method: 'POST', url: '/auth/mfa/totp', headers: auth(owner.accessToken) })
  const { factorId, secret } = enrolled.json()
  const activated = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${factorId}/activate`, headers: auth(owner.accessToken), payload: { code: await code(secret) } })
  if (activated.statusCode !== 200) throw new Error(`activate: ${activated.body}`)
  return { ...owner, factorId, secret, recoveryCodes: activated.json().recoveryCodes as string[] }
}

const verify = (app: FastifyInstance, mfaToken: string, value: string, headers: Record<string, string> = BEARER) =>
  app.inject({ method: 'POST', url: '/auth/mfa/verify', headers, payload: { mfaToken, code: value } })

async function challenge (app: FastifyInstance, email: string): Promise<string> {
  const res = await loginBearer(app, email)
  if (res.json().code !== 'AUTH_MFA_REQUIRED') throw new Error(`login: ${res.body}`)
  return res.json().mfa.token
}

t.test('enrolment: a pending authenticator, activated by a first code, recovery codes once', async t => {
  const app = await build(t)
  const owner = await registerVerified(app)
  const other = await loginBearer(app, owner.user.email)
  const enrolled = await app.inject({ method: 'POST', url: '/auth/mfa/totp', headers: auth(owner.accessToken) })
  t.equal(enrolled.statusCode, 201)
  const { factorId, secret, otpauthUri, qrCode } = enrolled.json()
  t.match(qrCode, /^data:image\/png;base64,[A-Za-z0-9+/=]{200,}$/, 'a QR code an <img> can show')
  t.match(otpauthUri, `otpauth://totp/Auth%20server:${encodeURIComponent(owner.user.email)}?`)
  t.match(otpauthUri, `secret=${secret}`)
  t.same((await app.inject({ url: '/auth/mfa', headers: auth(owner.accessToken) })).json(), { factors: [], recoveryCodesLeft: 0 }, 'pending: not listed')

  const wrong = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${factorId}/activate`, headers: auth(owner.accessToken), payload: { code: '000000' } })
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_MFA_CODE_INVALID'])
  const res = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${factorId}/activate`, headers: auth(owner.accessToken), payload: { code: await code(secret) } })
  t.equal(res.statusCode, 200)
  const { recoveryCodes } = res.json()
  t.equal(recoveryCodes.length, 10)
  t.equal(new Set(recoveryCodes).size, 10)

  const status = (await app.inject({ url: '/auth/mfa', headers: auth(owner.accessToken) })).json()
  t.match(status, { factors: [{ id: factorId, type: 'totp' }], recoveryCodesLeft: 10 })
  t.equal((await refreshBearer(app, other.json().refreshToken)).statusCode, 401, 'every other session is revoked')
  const refreshed = await refreshBearer(app, owner.refreshToken)
  t.equal(refreshed.statusCode, 200, 'this one is not')
  t.match(jwtClaims(refreshed.json().accessToken), { amr: ['pwd', 'otp'], aal: 'aal2' }, 'and now counts as two-factor')
  const again = await app.inject({ method: 'POST', url: '/auth/mfa/totp', headers: auth(refreshed.json().accessToken) })
  t.same([again.statusCode, again.json().code], [409, 'AUTH_MFA_ALREADY_ENABLED'])

  const dump = JSON.stringify(await app.mongo.collection('mfa_factors').find().toArray()) + JSON.stringify(await app.mongo.collection('recovery_codes').find().toArray())
  t.notOk(dump.includes(secret), 'the TOTP secret is not stored in clear')
  for (const c of recoveryCodes) t.notOk(dump.includes(c) || dump.includes(c.replace(/-/g, '')), 'nor any recovery code')
  t.ok(await app.mongo.collection('outbox').countDocuments({ to: owner.user.email, subject: /two-step sign-in is on/ }), 'the user is told by mail')
})

t.test('login: the password opens a challenge; a fresh code finishes it; no code passes twice', async t => {
  const app = await build(t)
  const owner = await withMfa(app)
  const first = await loginBearer(app, owner.user.email)
  t.equal(first.statusCode, 401)
  t.match(first.json(), { code: 'AUTH_MFA_REQUIRED', message: 'Second factor required', mfa: { token: /^[\w-]{43}$/, methods: ['totp', 'recovery_code'], expiresAt: String } })
  t.notOk('accessToken' in first.json() || 'refreshToken' in first.json(), 'no tokens')
  const cookieLogin = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: owner.user.email, password: PASSWORD } })
  t.same([cookieLogin.statusCode, cookieLogin.headers['set-cookie']], [401, undefined], 'no session cookie')

  const replay = await verify(app, first.json().mfa.token, await code(owner.secret))
  t.same([replay.statusCode, replay.json().code], [401, 'AUTH_MFA_CODE_INVALID'], 'the activation code does not also log in')
  const next = await verify(app, first.json().mfa.token, await code(owner.secret, 1))
  t.equal(next.statusCode, 200, "the next step's code (the clock may lag one step)")
  t.equal(next.json().tokenType, 'Bearer')
  t.match(jwtClaims(next.json().accessToken), { amr: ['pwd', 'otp'], aal: 'aal2' })
  const refreshed = await refreshBearer(app, next.json().refreshToken)
  t.match(jwtClaims(refreshed.json().accessToken), { amr: ['pwd', 'otp'], aal: 'aal2' }, 'kept by refresh')
  const verified = await app.inject({ url: '/auth/verify', headers: auth(refreshed.json().accessToken) })
  t.match(verified.json(), { amr: ['pwd', 'otp'], aal: 'aal2' })
  const used = await verify(app, first.json().mfa.token, await code(owner.secret, -1))
  t.equal(used.json().code, 'AUTH_MFA_CHALLENGE_INVALID', 'a challenge starts one session')

  const later = await challenge(app, owner.user.email)
  const previous = await verify(app, later, await code(owner.secret, -1))
  t.equal(previous.json().code, 'AUTH_MFA_CODE_INVALID', 'a previous step after a later one')
  const sameAgain = await verify(app, later, await code(owner.secret, 1))
  t.equal(sameAgain.json().code, 'AUTH_MFA_CODE_INVALID', 'the same code on a second challenge')
  const wrongPassword = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: owner.user.email, password: 'not the password' } })
  t.same([wrongPassword.statusCode, wrongPassword.json().code, wrongPassword.json().mfa], [401, 'AUTH_INVALID_CREDENTIALS', undefined], 'a wrong password answers as ever')
})

t.test('two verifies at once with one code: exactly one session', async t => {
  const app = await build(t)
  const owner = await withMfa(app)
  const [a, b] = [await challenge(app, owner.user.email), await challenge(app, owner.user.email)]
  const value = await code(owner.secret, 1)
  const answers = await Promise.all([verify(app, a, value), verify(app, b, value)])
  t.same(answers.map(r => r.statusCode).sort(), [200, 401])
  t.equal(answers.find(r => r.statusCode === 401)?.json().code, 'AUTH_MFA_CODE_INVALID')
})

t.test('recovery codes: each works once, in any case and spacing; replacing them voids the old set', async t => {
  const app = await build(t)
  const owner = await withMfa(app)
  const [first, second] = owner.recoveryCodes as [string, string]
  const typed = ` ${first.toUpperCase().replace(/-/g, ' ')} `
  const ok = await verify(app, await challenge(app, owner.user.email), typed)
  t.equal(ok.statusCode, 200, 'normalised: spaces, dashes and case ignored')
  t.match(jwtClaims(ok.json().accessToken), { amr: ['pwd', 'otp'], aal: 'aal2' })
  const twice = await verify(app, await challenge(app, owner.user.email), first)
  t.equal(twice.json().code, 'AUTH_MFA_CODE_INVALID', 'a second use fails')
  t.ok(await app.mongo.collection('outbox').countDocuments({ to: owner.user.email, subject: /recovery code was used/ }), 'the user is told')
  t.equal((await app.inject({ url: '/auth/mfa', headers: auth(ok.json().accessToken) })).json().recoveryCodesLeft, 9)

  const replaced = await app.inject({ method: 'POST', url: '/auth/mfa/recovery-codes', headers: auth(ok.json().accessToken), payload: { code: await code(owner.secret, 1) } })
  t.equal(replaced.statusCode, 200)
  t.equal(replaced.json().recoveryCodes.length, 10)
  t.equal((await verify(app, await challenge(app, owner.user.email), second)).json().code, 'AUTH_MFA_CODE_INVALID', 'the old set is void')
  t.equal((await verify(app, await challenge(app, owner.user.email), replaced.json().recoveryCodes[0])).statusCode, 200, 'the new set works')
})

t.test('five wrong codes void the challenge; the second-factor lock is not the password lock', async t => {
  const app = await build(t, { LOGIN_MAX_FAILURES: 7 })
  const owner = await withMfa(app)
  const token = await challenge(app, owner.user.email)
  for (let i = 0; i < 5; i++) t.equal((await verify(app, token, '000000')).json().code, 'AUTH_MFA_CODE_INVALID', `wrong code ${i + 1}`)
  t.equal((await verify(app, token, await code(owner.secret, 1))).json().code, 'AUTH_MFA_CHALLENGE_INVALID', 'void, even with the right code')
  t.equal((await loginBearer(app, owner.user.email)).json().code, 'AUTH_MFA_REQUIRED', 'five wrong codes did not lock the password')

  const fresh = await challenge(app, owner.user.email)
  t.equal((await verify(app, fresh, '111111')).json().code, 'AUTH_MFA_CODE_INVALID')
  t.equal((await verify(app, fresh, '222222')).json().code, 'AUTH_MFA_CODE_INVALID')
  const locked = await verify(app, fresh, await code(owner.secret, 1))
  t.same([locked.statusCode, locked.json().code], [429, 'AUTH_TOO_MANY_ATTEMPTS'], 'seven wrong codes lock the second factor')
  t.equal((await loginBearer(app, owner.user.email)).json().code, 'AUTH_MFA_REQUIRED', 'the password still opens challenges')
})

t.test('removing the authenticator, and an admin reset, bring password-only logins back', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app, 'root@example.com')
  const owner = await withMfa(app)
  const session = (await verify(app, await challenge(app, owner.user.email), await code(owner.secret, 1))).json()
  const bad = await app.inject({ method: 'DELETE', url: `/auth/mfa/totp/${owner.factorId}`, headers: auth(session.accessToken), payload: { code: '123456' } })
  t.equal(bad.json().code, 'AUTH_MFA_CODE_INVALID')
  const removed = await app.inject({ method: 'DELETE', url: `/auth/mfa/totp/${owner.factorId}`, headers: auth(session.accessToken), payload: { code: owner.recoveryCodes[0] } })
  t.equal(removed.statusCode, 204, 'with a recovery code')
  t.equal((await loginBearer(app, owner.user.email)).statusCode, 200, 'the password alone again')
  t.same((await app.inject({ url: '/auth/mfa', headers: auth(session.accessToken) })).json(), { factors: [], recoveryCodesLeft: 0 })

  const lost = await withMfa(app)
  t.equal((await loginBearer(app, lost.user.email)).json().code, 'AUTH_MFA_REQUIRED')
  const reset = await app.inject({ method: 'DELETE', url: `/admin/users/${lost.user.id}/mfa`, headers: auth(admin.accessToken) })
  t.equal(reset.statusCode, 204)
  t.equal((await loginBearer(app, lost.user.email)).statusCode, 200, 'support brought the user back')
  const audited = await app.mongo.collection('audit').find({ type: 'mfa.reset' }).toArray()
  t.same(audited.map(e => [String(e.userId), String(e.actorId)]), [[lost.user.id, admin.user.id]], 'audited, with the admin as actor')
  const forbidden = await app.inject({ method: 'DELETE', url: `/admin/users/${lost.user.id}/mfa`, headers: auth(lost.accessToken) })
  t.equal(forbidden.statusCode, 403)
})

t.test('cookie mode: the second step sets the session cookies', async t => {
  const app = await build(t)
  const owner = await withMfa(app)
  const res = await verify(app, await challenge(app, owner.user.email), await code(owner.secret, 1), {})
  t.equal(res.statusCode, 200)
  t.equal(res.json().tokenType, 'Cookie')
  t.ok(cookie(res, 'access') && cookie(res, 'refresh'))
})

t.test('a password reset never bypasses the second factor', async t => {
  const { app, logs } = await buildWithLogs(t)
  const owner = await withMfa(app)
  await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: owner.user.email } })
  let link: string | undefined
  while (!link) {
    link = logs.flatMap(l => (l.links as string[] | undefined) ?? []).find(l => l.includes('/reset-password#token='))
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const reset = await app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token: link.split('#token=')[1], newPassword: 'reset while enrolled' } })
  t.equal(reset.statusCode, 204)
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: owner.user.email, password: 'reset while enrolled' } })
  t.equal(login.json().code, 'AUTH_MFA_REQUIRED', 'the next login still asks for the code')
})

t.test('unknown authenticators and users, and codes without an authenticator', async t => {
  const app = await build(t)
  const admin = await registerAdmin(app, 'root@example.com')
  const plain = await registerVerified(app)
  const missing = 'f'.repeat(24)
  const activate = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${missing}/activate`, headers: auth(plain.accessToken), payload: { code: '123456' } })
  t.same([activate.statusCode, activate.json().code], [404, 'AUTH_MFA_FACTOR_NOT_FOUND'])
  const remove = await app.inject({ method: 'DELETE', url: `/auth/mfa/totp/${missing}`, headers: auth(plain.accessToken), payload: { code: '123456' } })
  t.same([remove.statusCode, remove.json().code], [404, 'AUTH_MFA_FACTOR_NOT_FOUND'])
  const codes = await app.inject({ method: 'POST', url: '/auth/mfa/recovery-codes', headers: auth(plain.accessToken), payload: { code: '123456' } })
  t.same([codes.statusCode, codes.json().code], [409, 'AUTH_MFA_NOT_ENABLED'])
  const reset = await app.inject({ method: 'DELETE', url: `/admin/users/${missing}/mfa`, headers: auth(admin.accessToken) })
  t.same([reset.statusCode, reset.json().code], [404, 'USER_NOT_FOUND'])
  const unknown = await verify(app, 'x'.repeat(43), '123456')
  t.same([unknown.statusCode, unknown.json().code], [401, 'AUTH_MFA_CHALLENGE_INVALID'])

  const enrolled = (await app.inject({ method: 'POST', url: '/auth/mfa/totp', headers: auth(plain.accessToken) })).json()
  await app.mongo.collection('mfa_factors').updateOne({}, { $set: { expiresAt: new Date(Date.now() - 1000) } })
  const expired = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${enrolled.factorId}/activate`, headers: auth(plain.accessToken), payload: { code: await code(enrolled.secret) } })
  t.equal(expired.json().code, 'AUTH_MFA_FACTOR_NOT_FOUND', 'a pending authenticator expires')
  const challengeExpired = await withMfa(app)
  const token = await challenge(app, challengeExpired.user.email)
  await app.mongo.collection('mfa_challenges').updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } })
  t.equal((await verify(app, token, await code(challengeExpired.secret, 1))).json().code, 'AUTH_MFA_CHALLENGE_INVALID', 'a challenge expires')
})

t.test('a pending second step dies when the credentials change: password change, "log out everywhere", reset, disable', async t => {
  const { app, logs } = await buildWithLogs(t)
  const admin = await registerAdmin(app)
  const owner = await withMfa(app)
  const refusedAfter = async (change: () => Promise<unknown>, what: string) => {
    const pending = await challenge(app, owner.user.email)
    await change()
    const res = await verify(app, pending, owner.recoveryCodes.pop()!)
    t.same([res.statusCode, res.json().code], [401, 'AUTH_MFA_CHALLENGE_INVALID'], what)
  }
  // Premise: a challenge with a recovery code starts a session when nothing changed.
  const ok = await verify(app, await challenge(app, owner.user.email), owner.recoveryCodes.pop()!)
  t.equal(ok.statusCode, 200, 'premise: the challenge works while the credentials stand')
  const aal2 = ok.json().accessToken as string
  await refusedAfter(() => app.inject({ method: 'POST', url: '/auth/password', headers: auth(aal2), payload: { currentPassword: PASSWORD, newPassword: PASSWORD } }), 'after a password change')
  const fresh = await verify(app, await challenge(app, owner.user.email), owner.recoveryCodes.pop()!)
  await refusedAfter(() => app.inject({ method: 'POST', url: '/auth/logout-all', headers: auth(fresh.json().accessToken) }), 'after "log out everywhere"')
  await refusedAfter(async () => {
    await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: owner.user.email } })
    let link: string | undefined
    while (!link) {
      link = logs.flatMap(l => (l.links as string[] | undefined) ?? []).find(l => l.includes('/reset-password#token='))
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    const reset = await app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token: link.split('#token=')[1], newPassword: PASSWORD } })
    t.equal(reset.statusCode, 204, 'premise: reset')
  }, 'after a password reset')
  await refusedAfter(() => app.inject({ method: 'POST', url: `/admin/users/${owner.user.id}/disable`, headers: auth(admin.accessToken) }), 'after the account was disabled')
  const unused = await app.mongo.collection('recovery_codes').countDocuments({ usedAt: null })
  t.equal(unused, 8, 'the refused attempts spent none of the codes they carried (two sessions did)')
})
