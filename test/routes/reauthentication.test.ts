import type { FastifyInstance } from 'fastify'
import { Types } from 'mongoose'
import { generate } from 'otplib'
import t from 'tap'
import { emailKey } from '../../models/email-claim.js'
import { identityKey } from '../../models/identity.js'
import { passkeyKey } from '../../models/passkey.js'
import { BEARER, build, jwtClaims, PASSWORD, refreshBearer, registerBearer, registerVerified, type BearerSession } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const auth = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })
const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })

/** The user's only session as if it signed in `minutes` ago: an access token stolen from an older session. */
async function age (app: FastifyInstance, session: BearerSession, minutes: number) {
  const users = app.mongo.collection('users')
  const user = await users.findOne({ _id: new Types.ObjectId(session.user.id) })
  if (user?.sessions.length !== 1) throw new Error('one session expected')
  await users.updateOne({ _id: user._id }, { $set: { 'sessions.0.authTime': new Date(Date.now() - minutes * 60_000) }, $inc: { rev: 1 } })
}

/** Every action that adds or removes a way to sign in, with `token`. */
function actions (app: FastifyInstance, token: string) {
  const headers = auth(token)
  const missing = 'f'.repeat(24)
  return {
    'add a passkey': () => app.inject({ method: 'POST', url: '/auth/passkeys/register/options', headers }),
    'turn on an authenticator': () => app.inject({ method: 'POST', url: '/auth/mfa/totp', headers }),
    'remove a passkey': () => app.inject({ method: 'DELETE', url: `/users/me/passkeys/${missing}`, headers }),
    'unlink a provider': () => app.inject({ method: 'DELETE', url: `/users/me/identities/${missing}`, headers }),
    'remove the authenticator': () => app.inject({ method: 'DELETE', url: `/auth/mfa/totp/${missing}`, headers, payload: { code: '123456' } }),
    'replace the recovery codes': () => app.inject({ method: 'POST', url: '/auth/mfa/recovery-codes', headers, payload: { code: '123456' } }),
    'delete the account': () => app.inject({ method: 'POST', url: '/users/me/delete', headers, payload: {} })
  }
}

const reauthenticate = (app: FastifyInstance, token: string, payload: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/auth/reauthenticate', headers: { ...BEARER, ...auth(token) }, payload })

t.test('a session that signed in more than REAUTHENTICATION_WINDOW ago adds and removes no way in until it re-authenticates', async t => {
  const app = await build(t)
  const owner = await registerVerified(app)
  await age(app, owner, 6)
  for (const [what, act] of Object.entries(actions(app, owner.accessToken))) {
    const res = await act()
    t.same([res.statusCode, res.json().code, res.json().methods], [403, 'AUTH_STEP_UP_REQUIRED', ['password']], `${what}: re-authenticate first, with the password`)
  }
  t.equal(await app.mongo.collection('users').countDocuments(), 1, 'the account is still there')

  const wrong = await reauthenticate(app, owner.accessToken, { password: 'not the password' })
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_WRONG_PASSWORD'])
  t.equal(await app.mongo.collection('login_attempts').countDocuments({ _id: emailKey(owner.user.email) }), 1, 'counted toward the login lock')

  const renewed = await reauthenticate(app, owner.accessToken, { password: PASSWORD })
  t.equal(renewed.statusCode, 200)
  const before = jwtClaims(owner.accessToken)
  const after = jwtClaims(renewed.json().accessToken)
  t.equal(after.sid, before.sid, 'the same session')
  t.ok(after.auth_time >= Math.floor(Date.now() / 1000) - 5, 'auth_time is now')
  t.equal((await app.mongo.collection('users').findOne({ email: owner.user.email }))?.sessions.length, 1, 'no new session started')
  t.equal((await refreshBearer(app, renewed.json().refreshToken)).statusCode, 200, 'its new refresh token works')
  t.equal(await app.mongo.collection('audit').countDocuments({ type: 'session.reauthenticated', 'detail.method': 'password' }), 1, 'audited')

  const fresh = actions(app, renewed.json().accessToken)
  t.equal((await fresh['add a passkey']()).statusCode, 200, 'now it may add a passkey')
  t.equal((await fresh['turn on an authenticator']()).statusCode, 201, 'and turn on an authenticator')
  t.equal((await fresh['remove a passkey']()).json().code, 'AUTH_PASSKEY_NOT_FOUND', 'and get as far as the removal itself')
})

t.test('REAUTHENTICATION_WINDOW=0: every such action asks again', async t => {
  const app = await build(t, { REAUTHENTICATION_WINDOW: '0' })
  const owner = await registerVerified(app)
  const first = await actions(app, owner.accessToken)['add a passkey']()
  t.equal(first.statusCode, 200, 'the sign-in itself serves one action')
  const second = await actions(app, owner.accessToken)['add a passkey']()
  t.equal(second.json().code, 'AUTH_STEP_UP_REQUIRED', 'not two')
  const renewed = (await reauthenticate(app, owner.accessToken, { password: PASSWORD })).json()
  t.equal((await actions(app, renewed.accessToken)['turn on an authenticator']()).statusCode, 201, 'a re-authentication serves the next one')
  t.equal((await actions(app, renewed.accessToken)['add a passkey']()).json().code, 'AUTH_STEP_UP_REQUIRED', 'and only that one')
})

t.test('re-authenticating with an authenticator or a recovery code; the methods listed are the user\'s', async t => {
  const app = await build(t)
  const owner = await registerVerified(app)
  const enrolled = (await app.inject({ method: 'POST', url: '/auth/mfa/totp', headers: auth(owner.accessToken) })).json()
  const activated = await app.inject({ method: 'POST', url: `/auth/mfa/totp/${enrolled.factorId}/activate`, headers: auth(owner.accessToken), payload: { code: await code(enrolled.secret) } })
  const recoveryCodes = activated.json().recoveryCodes as string[]
  const session = { ...owner, ...(await refreshBearer(app, owner.refreshToken)).json() }
  const userId = new Types.ObjectId(owner.user.id)
  await app.models.passkeys.create({ _id: passkeyKey('cred-1'), userId, credentialId: 'cred-1', publicKey: 'AAAA', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Laptop', createdAt: new Date(), lastUsedAt: null })
  await app.models.identities.create({ _id: identityKey('https://idp.example', 'sub-1'), userId, provider: 'test', issuer: 'https://idp.example', subject: 'sub-1', email: owner.user.email, createdAt: new Date(), lastUsedAt: new Date() })
  await age(app, session, 10)
  const refused = await actions(app, session.accessToken)['replace the recovery codes']()
  t.same(refused.json().methods, ['password', 'totp', 'recovery_code', 'passkey', 'provider'], 'every way this user has')

  const wrong = await reauthenticate(app, session.accessToken, { code: '000000' })
  t.same([wrong.statusCode, wrong.json().code], [401, 'AUTH_MFA_CODE_INVALID'])
  const byCode = await reauthenticate(app, session.accessToken, { code: await code(enrolled.secret, 1) })
  t.equal(byCode.statusCode, 200, 'an authenticator code')
  t.match(jwtClaims(byCode.json().accessToken), { amr: ['pwd', 'otp'], aal: 'aal2' })
  await age(app, { ...session, accessToken: byCode.json().accessToken }, 10)
  const byRecovery = await reauthenticate(app, byCode.json().accessToken, { code: recoveryCodes[0]! })
  t.equal(byRecovery.statusCode, 200, 'a recovery code')
  t.equal(await app.mongo.collection('recovery_codes').countDocuments({ usedAt: null }), 9, 'which is spent')
  t.equal((await actions(app, byRecovery.json().accessToken)['replace the recovery codes']()).json().code, 'AUTH_MFA_CODE_INVALID', 'the action itself still wants its code')

  const plain = await registerVerified(app)
  const noFactor = await reauthenticate(app, plain.accessToken, { code: '123456' })
  t.same([noFactor.statusCode, noFactor.json().code], [409, 'AUTH_MFA_NOT_ENABLED'])
  for (const payload of [{}, { password: PASSWORD, code: '123456' }, { token: 'x' }]) {
    const bad = await reauthenticate(app, plain.accessToken, payload as Record<string, string>)
    t.same([bad.statusCode, bad.json().code], [400, 'VALIDATION_ERROR'], JSON.stringify(payload))
  }
  const anonymous = await app.inject({ method: 'POST', url: '/auth/reauthenticate', payload: { password: PASSWORD } })
  t.same([anonymous.statusCode, anonymous.json().code], [401, 'AUTH_NO_TOKEN'])
})

t.test('passkey re-authentication: options list the caller\'s passkeys only; another user\'s assertion fails', async t => {
  const app = await build(t)
  const owner = await registerVerified(app)
  await app.models.passkeys.create({ _id: passkeyKey('mine'), userId: new Types.ObjectId(owner.user.id), credentialId: 'mine', publicKey: 'AAAA', counter: 0, transports: ['internal'], backupEligible: false, backedUp: false, name: 'Mine', createdAt: new Date(), lastUsedAt: null })
  await app.models.passkeys.create({ _id: passkeyKey('theirs'), userId: new Types.ObjectId(), credentialId: 'theirs', publicKey: 'AAAA', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Theirs', createdAt: new Date(), lastUsedAt: null })
  const options = await app.inject({ method: 'POST', url: '/auth/reauthenticate/passkey/options', headers: auth(owner.accessToken) })
  t.equal(options.statusCode, 200)
  t.same(options.json().options.allowCredentials.map((c: { id: string }) => c.id), ['mine'])
  const challenge = await app.mongo.collection('webauthn_challenges').findOne({ _id: new Types.ObjectId(options.json().challengeId) })
  t.equal(String(challenge?.userId), owner.user.id, 'the challenge is bound to the caller')
  const assertion = { id: 'theirs', rawId: 'theirs', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' } }
  const res = await app.inject({ method: 'POST', url: '/auth/reauthenticate/passkey/verify', headers: auth(owner.accessToken), payload: { challengeId: options.json().challengeId, response: assertion } })
  t.same([res.statusCode, res.json().code], [401, 'AUTH_PASSKEY_FAILED'])
})

t.test('an account whose address is not verified adds no way to sign in', async t => {
  const app = await build(t)
  const squatter = await registerBearer(app)
  for (const what of ['add a passkey', 'turn on an authenticator'] as const) {
    const res = await actions(app, squatter.accessToken)[what]()
    t.same([res.statusCode, res.json().code], [403, 'AUTH_EMAIL_NOT_VERIFIED'], what)
  }
  t.equal(await app.mongo.collection('webauthn_challenges').countDocuments() + await app.mongo.collection('mfa_factors').countDocuments(), 0, 'nothing pending either')
})

t.test('a reset of an account registered by someone else hands its owner a clean account', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url })
  // Before the address was proven, someone else registered it and left ways in (planted here:
  // the API now refuses them to an unverified account).
  const squatter = await registerBearer(app)
  const userId = new Types.ObjectId(squatter.user.id)
  await app.models.passkeys.create({ _id: passkeyKey('planted'), userId, credentialId: 'planted', publicKey: 'AAAA', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Planted', createdAt: new Date(), lastUsedAt: null })
  await app.models.identities.create({ _id: identityKey('https://idp.example', 'attacker'), userId, provider: 'test', issuer: 'https://idp.example', subject: 'attacker', email: 'attacker@example.net', createdAt: new Date(), lastUsedAt: new Date() })
  await app.models.mfaFactors.create({ userId, type: 'totp', status: 'active', secretSealed: 'sealed' })
  await app.models.recoveryCodes.create({ userId, codeHash: 'hash' })

  await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: squatter.user.email } })
  const token = tokenIn(await smtp.mailTo(squatter.user.email, /reset your password/), 'reset-password')
  t.equal((await app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token, newPassword: 'the owner of the mailbox' } })).statusCode, 204)
  for (const name of ['passkeys', 'identities', 'mfa_factors', 'recovery_codes']) {
    t.equal(await app.mongo.collection(name).countDocuments({ userId }), 0, `no ${name} left`)
  }
  t.equal((await refreshBearer(app, squatter.refreshToken)).statusCode, 401, 'no session left')
  const user = await app.mongo.collection('users').findOne({ _id: userId })
  t.equal(user?.emailVerified, true, 'the reset proved the mailbox')
  const mail = await smtp.mailTo(squatter.user.email, /your password was set/)
  t.match(mail.text, /every passkey, linked sign-in provider and authenticator app on the account was removed/)

  // A verified account's reset leaves its ways in alone.
  const owner = await registerVerified(app)
  const ownerId = new Types.ObjectId(owner.user.id)
  await app.models.passkeys.create({ _id: passkeyKey('own'), userId: ownerId, credentialId: 'own', publicKey: 'AAAA', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Own', createdAt: new Date(), lastUsedAt: null })
  await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: owner.user.email } })
  const ownerToken = tokenIn(await smtp.mailTo(owner.user.email, /reset your password/), 'reset-password')
  t.equal((await app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token: ownerToken, newPassword: 'a forgotten password' } })).statusCode, 204)
  t.equal(await app.mongo.collection('passkeys').countDocuments({ userId: ownerId }), 1, 'the passkey stays')
  await smtp.mailTo(owner.user.email, /your password was changed/)
})
