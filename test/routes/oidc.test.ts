import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Types } from 'mongoose'
import { generate } from 'otplib'
import t from 'tap'
import { emailKey } from '../../models/email-claim.js'
import { BEARER, build, buildWithLogs, cookie, jwtClaims, loginBearer, me, PASSWORD, registerBearer, registerVerified, uniqueEmail } from '../helper.js'
import { CLIENT_ID, MOBILE_CLIENT_ID, OTHER_CLIENT_ID, startIdp } from '../oidc-idp.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const idp = await startIdp(['http://localhost:3000/auth/oidc/test/callback'])
t.teardown(idp.close)

const OIDC = { ...idp.config, OIDC_TEST_AUDIENCES: MOBILE_CLIENT_ID }
const TX = '__Host-oidc_tx'
const ACCESS = '__Host-access_token'
const MFA = '__Secure-mfa_challenge'

const name = (prefix = 'user') => `${prefix}-${randomBytes(4).toString('hex')}`
const auth = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })
const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })

async function start (app: FastifyInstance, query = '', headers: Record<string, string> = {}) {
  const res = await app.inject({ url: `/auth/oidc/test/start${query}`, headers })
  if (res.statusCode !== 302) throw new Error(`start: ${res.statusCode} ${res.body}`)
  return { location: String(res.headers.location), tx: cookie(res, 'oidc_tx')!.value, res }
}

function callback (app: FastifyInstance, url: string, tx?: string) {
  const u = new URL(url)
  return app.inject({ url: u.pathname + u.search, cookies: tx === undefined ? {} : { [TX]: tx } })
}

/** The whole round trip: start, sign `login` in at the provider, come back with the cookie. */
async function signIn (app: FastifyInstance, login: string, query = '', headers: Record<string, string> = {}) {
  const started = await start(app, query, headers)
  const back = await idp.signIn(started.location, login)
  return { back, tx: started.tx, res: await callback(app, back, started.tx) }
}

const accessOf = (res: LightMyRequestResponse) => cookie(res, 'access_token')?.value

t.test('the providers, for the buttons', async t => {
  const app = await build(t, OIDC)
  t.same((await app.inject('/auth/oidc/providers')).json(), { providers: [{ id: 'test', name: 'Test IdP' }] })
  const none = await build(t)
  t.same((await none.inject('/auth/oidc/providers')).json(), { providers: [] })
})

t.test('start: code flow with PKCE S256, state and nonce, bound to this browser by a cookie', async t => {
  const app = await build(t, OIDC)
  const { location, res } = await start(app, '?redirect_to=/account')
  const url = new URL(location)
  t.equal(url.origin, idp.issuer, 'to the provider')
  const q = Object.fromEntries(url.searchParams)
  t.match(q, { response_type: 'code', client_id: CLIENT_ID, code_challenge_method: 'S256', redirect_uri: 'http://localhost:3000/auth/oidc/test/callback', scope: 'openid email profile' })
  t.ok(q.state && q.nonce && q.code_challenge, 'state, nonce and the PKCE challenge')
  const tx = cookie(res, 'oidc_tx')!
  t.match(tx, { name: TX, httpOnly: true, secure: true, sameSite: 'Lax', path: '/', maxAge: 600 })
  t.notOk(location.includes(tx.value), 'the cookie secret never goes to the provider')
  const stored = JSON.stringify(await app.mongo.collection('oidc_transactions').find().toArray())
  for (const secret of [tx.value, q.state!, q.nonce!]) t.notOk(stored.includes(secret), 'nothing the checks derive from is stored')
  const again = await start(app)
  t.not(new URL(again.location).searchParams.get('state'), q.state, 'each start is its own')
})

t.test('start refuses an unknown provider and a redirect_to off the allowed origins', async t => {
  const app = await build(t, { ...OIDC, ALLOWED_ORIGINS: 'https://app.example.com' })
  const unknown = await app.inject('/auth/oidc/nope/start')
  t.same([unknown.statusCode, unknown.json().code], [404, 'AUTH_OIDC_PROVIDER_UNKNOWN'])
  for (const bad of ['https://evil.example', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'http://localhost:3001/', 'relative/path']) {
    const res = await app.inject({ url: '/auth/oidc/test/start', query: { redirect_to: bad } })
    t.same([res.statusCode, res.json().code], [400, 'VALIDATION_ERROR'], bad)
  }
  for (const good of ['https://app.example.com/after?x=1', 'http://localhost:3000/here', '/']) {
    t.equal((await app.inject({ url: '/auth/oidc/test/start', query: { redirect_to: good } })).statusCode, 302, good)
  }
})

t.test('a new user: an account with the verified email and no password, signed in by cookies', async t => {
  const app = await build(t, OIDC)
  const login = name('alice')
  const { res } = await signIn(app, login, '?redirect_to=' + encodeURIComponent('/after?x=1'))
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, '/after?x=1', 'back where the app asked')
  t.match(cookie(res, 'oidc_tx'), { value: '' }, 'the transaction cookie is cleared')
  const access = accessOf(res)!
  t.ok(access && cookie(res, 'refresh_token')?.value, 'a session, in cookies')
  t.match(jwtClaims(access), { amr: ['oauth'], aal: 'aal1' })
  const user = (await app.inject({ url: '/users/me', cookies: { [ACCESS]: access } })).json().user
  t.match(user, { email: `${login}@idp.test`, emailVerified: true, name: `User ${login}` })
  const identities = await app.inject({ url: '/users/me/identities', cookies: { [ACCESS]: access } })
  t.match(identities.json(), { identities: [{ provider: 'test', email: `${login}@idp.test` }] })
  const password = await loginBearer(app, user.email)
  t.same([password.statusCode, password.json().code], [401, 'AUTH_INVALID_CREDENTIALS'], 'no password: a password login fails as a wrong one does')
  const events = await app.mongo.collection('audit').find({ userId: { $exists: true } }).toArray()
  t.ok(events.some(e => e.type === 'identity.linked'), 'the link is audited')
  t.ok(events.some(e => e.type === 'login.success' && e.detail?.method === 'oauth' && e.detail?.provider === 'test'), 'and the sign-in')
})

t.test('ADMIN_EMAILS: a provider that vouches for the address makes its new account admin', async t => {
  const [boss, unverified] = [name('boss'), name('unverified-boss')]
  const app = await build(t, { ...OIDC, ADMIN_EMAILS: `${boss}@idp.test,${unverified}@idp.test` })
  const { res } = await signIn(app, boss)
  t.same((await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(res)! } })).json().user.roles, ['user', 'admin'])
  const refused = await signIn(app, unverified)
  t.equal(new URL(String(refused.res.headers.location), 'http://localhost:3000').searchParams.get('error'), 'AUTH_OIDC_EMAIL_UNVERIFIED', 'an address it does not vouch for makes no account at all')
})

t.test('the email from userinfo when the ID token has none', async t => {
  const app = await build(t, OIDC)
  const login = name('userinfo')
  const { res } = await signIn(app, login)
  t.equal(res.headers.location, '/')
  t.match((await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(res)! } })).json().user, { email: `${login}@idp.test`, emailVerified: true })
})

t.test('a returning user gets the same account', async t => {
  const app = await build(t, OIDC)
  const login = name()
  const first = await signIn(app, login)
  const second = await signIn(app, login)
  const id = async (res: LightMyRequestResponse) => (await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(res)! } })).json().user.id
  t.equal(await id(second.res), await id(first.res))
  t.equal(await app.mongo.collection('identities').countDocuments(), 1)
  t.equal(await app.mongo.collection('users').countDocuments(), 1)
})

t.test('a disabled account signs in through no provider: the callback and the ID-token endpoint', async t => {
  const app = await build(t, OIDC)
  const login = name()
  const first = await signIn(app, login)
  const userId = (await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(first.res)! } })).json().user.id
  await app.lifecycleService.disable(userId, { ip: '127.0.0.1', userAgent: 'test' }, userId)
  const again = await signIn(app, login)
  t.equal(again.res.statusCode, 302)
  t.equal(new URL(String(again.res.headers.location), 'http://localhost:3000').searchParams.get('error'), 'AUTH_ACCOUNT_DISABLED', 'back with the code')
  t.notOk(accessOf(again.res), 'no session cookie')
  const res = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: await idp.idTokenFor(CLIENT_ID, login) } })
  t.same([res.statusCode, res.json().code], [403, 'AUTH_ACCOUNT_DISABLED'])
})

t.test('a verified local account is linked and signed in; the owner is told', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { ...OIDC, SMTP_URL: smtp.url })
  const local = await registerBearer(app)
  const token = tokenIn(await smtp.mailTo(local.user.email, /confirm your email/), 'verify-email')
  t.equal((await app.inject({ method: 'POST', url: '/auth/email/verify', payload: { token } })).statusCode, 200, 'the owner proves the address')
  const { res } = await signIn(app, local.user.email)
  t.equal(res.headers.location, '/')
  t.equal((await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(res)! } })).json().user.id, local.user.id, 'the same user')
  t.equal((await loginBearer(app, local.user.email)).statusCode, 200, 'the password still works')
  t.match((await smtp.mailTo(local.user.email, /Test IdP sign-in was added/)).text, `${local.user.email}) was linked`, 'a mail says so')
})

t.test('an unverified local account is not linked: the owner must sign in and link', async t => {
  const app = await build(t, OIDC)
  const local = await registerBearer(app)
  const { res } = await signIn(app, local.user.email)
  t.equal(res.headers.location, '/?error=AUTH_ACCOUNT_LINK_REQUIRED')
  t.notOk(accessOf(res), 'no session')
  t.equal(await app.mongo.collection('identities').countDocuments(), 0)
})

t.test('a provider that does not vouch for the email gets no account', async t => {
  const app = await build(t, OIDC)
  const { res } = await signIn(app, name('unverified'), '?redirect_to=/login')
  t.equal(res.headers.location, '/login?error=AUTH_OIDC_EMAIL_UNVERIFIED')
  t.notOk(accessOf(res))
  t.equal(await app.mongo.collection('users').countDocuments(), 0)
})

t.test('the callback is bound to the browser and used once', async t => {
  const app = await build(t, OIDC)
  const { back, tx, res } = await signIn(app, name(), '?redirect_to=/home')
  t.equal(res.headers.location, '/home')
  const replay = await callback(app, back, tx)
  t.equal(replay.headers.location, '/home?error=AUTH_OIDC_STATE_INVALID', 'a replayed callback')
  t.notOk(accessOf(replay))

  const other = await start(app, '?redirect_to=/home')
  const noCookie = await callback(app, await idp.signIn(other.location, name()))
  t.equal(noCookie.headers.location, '/?error=AUTH_OIDC_STATE_INVALID', 'no transaction cookie (a lured browser)')

  const victim = await start(app)
  const attacker = await start(app, '?redirect_to=/home')
  const attackersCallback = await idp.signIn(attacker.location, name('attacker'))
  const crossed = await callback(app, attackersCallback, victim.tx)
  t.equal(crossed.headers.location, '/?error=AUTH_OIDC_STATE_INVALID', "another browser's callback")
  t.notOk(accessOf(crossed))

  const forged = await app.inject({ url: '/auth/oidc/test/callback', cookies: { [TX]: 'a-secret-nobody-issued' } })
  t.equal(forged.headers.location, '/?error=AUTH_OIDC_STATE_INVALID', 'a cookie no transaction matches, and no query at all')

  const third = await start(app, '?redirect_to=/home')
  const url = new URL(await idp.signIn(third.location, name()))
  const state = url.searchParams.get('state')!
  // Another first character, whatever it was (a fixed one would match 1 time in 64).
  url.searchParams.set('state', (state.startsWith('x') ? 'y' : 'x') + state.slice(1))
  t.equal((await callback(app, url.href, third.tx)).headers.location, '/home?error=AUTH_OIDC_STATE_INVALID', 'a tampered state')
})

t.test('a provider error, or a code the provider refuses, is AUTH_OIDC_PROVIDER_ERROR', async t => {
  const { app, logs } = await buildWithLogs(t, OIDC)
  const denied = await start(app, '?redirect_to=/x')
  const state = new URL(denied.location).searchParams.get('state')!
  const res = await app.inject({ url: '/auth/oidc/test/callback', query: { error: 'access_denied', state, iss: idp.issuer }, cookies: { [TX]: denied.tx } })
  t.equal(res.headers.location, '/x?error=AUTH_OIDC_PROVIDER_ERROR')
  const bogus = await start(app)
  const forged = await app.inject({ url: '/auth/oidc/test/callback', query: { code: 'made-up', state: new URL(bogus.location).searchParams.get('state')!, iss: idp.issuer }, cookies: { [TX]: bogus.tx } })
  t.equal(forged.headers.location, '/?error=AUTH_OIDC_PROVIDER_ERROR')
  t.ok(logs.some(l => l.msg === 'OIDC provider call failed' && l.provider === 'test'), 'the cause is logged')
  t.notOk(JSON.stringify(logs).includes('made-up'), 'the code is not logged, not even in a request URL')
})

t.test('a provider that is down: the boot goes on, sign-ins fail cleanly', async t => {
  const app = await build(t, { ...OIDC, OIDC_TEST_ISSUER: 'http://127.0.0.1:9' })
  const res = await app.inject('/auth/oidc/test/start?redirect_to=/signin')
  t.same([res.statusCode, res.headers.location], [302, '/signin?error=AUTH_OIDC_PROVIDER_ERROR'])
  const token = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: 'a.b.c' } })
  t.same([token.statusCode, token.json().code], [502, 'AUTH_OIDC_PROVIDER_ERROR'])
  const https = await build(t, { ...OIDC, OIDC_TEST_ISSUER: 'https://localhost:9' })
  t.equal((await https.inject('/auth/oidc/test/start')).headers.location, '/?error=AUTH_OIDC_PROVIDER_ERROR', 'an https issuer that is down too')
})

t.test('a user with two-factor sign-in passes the second step with the challenge cookie', async t => {
  const app = await build(t, OIDC)
  const login = name()
  const first = await signIn(app, login)
  const cookies = { [ACCESS]: accessOf(first.res)! }
  const { factorId, secret } = (await app.inject({ method: 'POST', url: '/auth/mfa/totp', cookies })).json()
  t.equal((await app.inject({ method: 'POST', url: `/auth/mfa/totp/${factorId}/activate`, cookies, payload: { code: await code(secret) } })).statusCode, 200)

  const { res } = await signIn(app, login, '?redirect_to=/account')
  t.equal(res.headers.location, '/account?mfa=required')
  t.notOk(accessOf(res), 'no session yet')
  const challenge = cookie(res, 'mfa_challenge')!
  t.match(challenge, { name: MFA, httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth/mfa' })
  const none = await app.inject({ method: 'POST', url: '/auth/mfa/verify', payload: { code: await code(secret, 1) } })
  t.same([none.statusCode, none.json().code], [401, 'AUTH_MFA_CHALLENGE_INVALID'], 'neither a token nor the cookie')
  const verified = await app.inject({ method: 'POST', url: '/auth/mfa/verify', cookies: { [MFA]: challenge.value }, payload: { code: await code(secret, 1) } })
  t.equal(verified.statusCode, 200)
  t.match(jwtClaims(accessOf(verified)!), { amr: ['oauth', 'otp'], aal: 'aal2' })
  t.match(cookie(verified, 'mfa_challenge'), { value: '' }, 'the challenge cookie is cleared')

  const mobile = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: await idp.idTokenFor(MOBILE_CLIENT_ID, login) } })
  t.same([mobile.statusCode, mobile.json().code, mobile.json().mfa.methods], [401, 'AUTH_MFA_REQUIRED', ['totp', 'recovery_code']], 'the ID-token sign-in too')
})

t.test('a signed-in user links a provider, then signs in with it', async t => {
  const app = await build(t, OIDC)
  const owner = await registerVerified(app)
  const unauthenticated = await app.inject('/auth/oidc/test/start?link=true')
  t.same([unauthenticated.statusCode, unauthenticated.json().code], [401, 'AUTH_NO_TOKEN'], 'linking needs a session')
  const login = name('bob')
  const { res } = await signIn(app, login, '?link=true&redirect_to=/security', auth(owner.accessToken))
  t.equal(res.headers.location, '/security')
  t.notOk(accessOf(res), 'no new session: the user is signed in already')
  t.match((await app.inject({ url: '/users/me/identities', headers: auth(owner.accessToken) })).json(), { identities: [{ provider: 'test', email: `${login}@idp.test` }] })
  const later = await signIn(app, login)
  t.equal((await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(later.res)! } })).json().user.id, owner.user.id, 'the provider now signs the owner in')

  const anonymous = await signIn(app, name('noemail'), '?link=true&redirect_to=/security', auth(owner.accessToken))
  t.equal(anonymous.res.headers.location, '/security', 'a provider account without an email can be linked by its owner')
  t.match((await app.inject({ url: '/users/me/identities', headers: auth(owner.accessToken) })).json().identities, [{}, { email: '' }])
  const noEmail = await signIn(app, name('noemail'))
  t.equal(noEmail.res.headers.location, '/?error=AUTH_OIDC_EMAIL_UNVERIFIED', 'but it signs nobody up: no verified email')
  const again = await signIn(app, login, '?link=true', auth(owner.accessToken))
  t.equal(again.res.headers.location, '/', 'linking an identity the user holds already is a no-op')
  const other = await registerVerified(app)
  const taken = await signIn(app, login, '?link=true', auth(other.accessToken))
  t.equal(taken.res.headers.location, '/?error=AUTH_IDENTITY_IN_USE', "another user's identity")
  t.same((await app.inject({ url: '/users/me/identities', headers: auth(other.accessToken) })).json(), { identities: [] })
})

t.test('unlinking: never the last way to sign in', async t => {
  const app = await build(t, OIDC)
  const { res } = await signIn(app, name())
  const cookies = { [ACCESS]: accessOf(res)! }
  const [only] = (await app.inject({ url: '/users/me/identities', cookies })).json().identities
  const last = await app.inject({ method: 'DELETE', url: `/users/me/identities/${only.id}`, cookies })
  t.same([last.statusCode, last.json().code], [409, 'AUTH_LAST_LOGIN_METHOD'])
  t.equal((await app.inject({ url: '/users/me/identities', cookies })).json().identities.length, 1, 'still linked')

  await signIn(app, name('second'), '?link=true', { cookie: `${ACCESS}=${cookies[ACCESS]}`, 'sec-fetch-site': 'same-origin' })
  const both = (await app.inject({ url: '/users/me/identities', cookies })).json().identities
  t.equal(both.length, 2)
  const unlinked = await app.inject({ method: 'DELETE', url: `/users/me/identities/${only.id}`, cookies })
  t.equal(unlinked.statusCode, 204, 'another identity is left')
  const unknown = await app.inject({ method: 'DELETE', url: `/users/me/identities/${only.id}`, cookies })
  t.same([unknown.statusCode, unknown.json().code], [404, 'AUTH_IDENTITY_NOT_FOUND'])

  const owner = await registerVerified(app)
  await signIn(app, name(), '?link=true', auth(owner.accessToken))
  const [linked] = (await app.inject({ url: '/users/me/identities', headers: auth(owner.accessToken) })).json().identities
  t.equal((await app.inject({ method: 'DELETE', url: `/users/me/identities/${linked.id}`, headers: auth(owner.accessToken) })).statusCode, 204, 'a password is left')
  t.ok(await app.mongo.collection('audit').countDocuments({ type: 'identity.unlinked' }), 'audited')
})

t.test('a user without a password sets one by a reset, and then has both ways', async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { ...OIDC, SMTP_URL: smtp.url })
  const login = name()
  const { res } = await signIn(app, login)
  const email = `${login}@idp.test`
  const profile = () => app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(res)! } }).then(r => r.json().user)
  t.match(await profile(), { email, hasPassword: false }, 'the profile says there is no password')
  const change = await app.inject({ method: 'POST', url: '/auth/password', cookies: { [ACCESS]: accessOf(res)! }, payload: { currentPassword: 'anything at all', newPassword: PASSWORD } })
  t.same([change.statusCode, change.json().code], [401, 'AUTH_WRONG_PASSWORD'], 'no current password to give')
  t.equal((await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email } })).statusCode, 202)
  const token = tokenIn(await smtp.mailTo(email, /reset your password/), 'reset-password')
  t.equal((await app.inject({ method: 'POST', url: '/auth/password/reset', payload: { token, newPassword: PASSWORD } })).statusCode, 204)
  t.equal((await loginBearer(app, email)).statusCode, 200, 'the password works')
  t.equal((await loginBearer(app, email)).json().user.hasPassword, true, 'and the user has one now')
  t.ok(accessOf((await signIn(app, login)).res), 'and so does the provider')
})

t.test('the ID-token endpoint: tokens the provider issued to this app or its mobile apps', async t => {
  const app = await build(t, OIDC)
  const login = name('mobile')
  const nonce = randomBytes(16).toString('base64url')
  const idToken = await idp.idTokenFor(MOBILE_CLIENT_ID, login, nonce)
  const res = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken, nonce } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { tokenType: 'Bearer', user: { email: `${login}@idp.test`, emailVerified: true } })
  t.match(jwtClaims(res.json().accessToken), { amr: ['oauth'] })
  t.equal((await me(app, res.json().accessToken)).statusCode, 200)
  const replay = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken, nonce } })
  t.same([replay.statusCode, replay.json().code], [401, 'AUTH_OIDC_TOKEN_INVALID'], 'each ID token signs in once')
  const kept = await app.mongo.collection('oidc_transactions').findOne({ usedAt: { $ne: null }, redirectTo: '/' })
  t.ok(kept && !JSON.stringify(kept).includes(idToken), 'its hash is kept, never the token')
  t.ok(kept && kept.expiresAt.getTime() > Date.now(), 'until the token expires')
  const web = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: await idp.idTokenFor(CLIENT_ID, login) } })
  t.equal(web.json().user?.id, res.json().user.id, "the app's own client id works too, for the same user")

  const invalid = async (payload: Record<string, string>, why: string) => {
    const r = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload })
    t.same([r.statusCode, r.json().code], [401, 'AUTH_OIDC_TOKEN_INVALID'], why)
  }
  await invalid({ idToken, nonce: 'another nonce' }, 'a nonce that does not match')
  await invalid({ idToken: await idp.idTokenFor(OTHER_CLIENT_ID, login) }, 'issued to someone else (wrong audience)')
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: idp.issuer, aud: CLIENT_ID, sub: login, email: `${login}@idp.test`, email_verified: true }
  await invalid({ idToken: await idp.sign({ ...claims, iat: now - 7200, exp: now - 3600 }) }, 'expired')
  t.equal((await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: await idp.sign({ ...claims, iat: now, exp: now + 600 }) } })).statusCode, 200, 'the same claims, unexpired, pass: the key is right')
  await invalid({ idToken: await idp.sign({ ...claims, iss: 'https://elsewhere.example', iat: now, exp: now + 600 }) }, 'another issuer')
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
  const body = Buffer.from(JSON.stringify({ ...claims, iat: now, exp: now + 600 })).toString('base64url')
  await invalid({ idToken: `${header}.${body}.` }, 'alg none')
  await invalid({ idToken: 'not.a.jwt' }, 'garbage')

  const unverified = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: await idp.idTokenFor(MOBILE_CLIENT_ID, name('unverified')) } })
  t.same([unverified.statusCode, unverified.json().code], [403, 'AUTH_OIDC_EMAIL_UNVERIFIED'])
  const local = await registerBearer(app, uniqueEmail())
  const linkRequired = await app.inject({ method: 'POST', url: '/auth/oidc/test/id-token', headers: BEARER, payload: { idToken: await idp.idTokenFor(MOBILE_CLIENT_ID, local.user.email) } })
  t.same([linkRequired.statusCode, linkRequired.json().code], [409, 'AUTH_ACCOUNT_LINK_REQUIRED'])
  const unknown = await app.inject({ method: 'POST', url: '/auth/oidc/nope/id-token', headers: BEARER, payload: { idToken } })
  t.same([unknown.statusCode, unknown.json().code], [404, 'AUTH_OIDC_PROVIDER_UNKNOWN'])
})

t.test('what a lost account leaves behind does not block its owner', async t => {
  const app = await build(t, OIDC)
  const login = name()
  const first = await signIn(app, login)
  const email = `${login}@idp.test`
  // A user document gone without its identity and email claim (removed by hand, say).
  const users = app.mongo.collection('users')
  const lost = (await users.findOne({ email }))!._id
  await users.deleteOne({ _id: lost })
  await app.mongo.collection('email_claims').deleteMany({ userId: lost })
  t.ok(accessOf(first.res))
  const again = await signIn(app, login)
  const user = (await app.inject({ url: '/users/me', cookies: { [ACCESS]: accessOf(again.res)! } })).json().user
  t.not(user.id, lost.toHexString(), 'a new account…')
  t.equal(await app.mongo.collection('identities').countDocuments(), 1)
  t.equal(String((await app.mongo.collection('identities').findOne())!.userId), user.id, '…which the identity now signs in')

  const linker = await registerVerified(app)
  const started = await start(app, '?link=true&redirect_to=/security', auth(linker.accessToken))
  await users.deleteOne({ email: linker.user.email })
  const back = await callback(app, await idp.signIn(started.location, name()), started.tx)
  t.equal(back.headers.location, '/security?error=AUTH_SESSION_REVOKED', 'a link for a user gone meanwhile')
})

t.test('an address claimed by a registration in flight is not taken over', async t => {
  const app = await build(t, OIDC)
  const login = name()
  await app.mongo.collection('email_claims').insertOne({ _id: emailKey(`${login}@idp.test`), userId: new Types.ObjectId(), createdAt: new Date() })
  const { res } = await signIn(app, login)
  t.equal(res.headers.location, '/?error=AUTH_ACCOUNT_LINK_REQUIRED')
  t.equal(await app.mongo.collection('users').countDocuments(), 0)
})

t.test('nothing secret in logs or the database', async t => {
  const { app, logs } = await buildWithLogs(t, OIDC)
  const { back, tx, res } = await signIn(app, name())
  t.equal(res.statusCode, 302)
  const code = new URL(back).searchParams.get('code')!
  const stored = JSON.stringify(await app.mongo.collection('oidc_transactions').find().toArray()) + JSON.stringify(await app.mongo.collection('identities').find().toArray())
  for (const secret of [code, tx]) t.notOk(JSON.stringify(logs).includes(secret) || stored.includes(secret), 'neither the code nor the transaction secret is logged or stored')
  t.ok(logs.some(l => typeof (l.req as { url?: string })?.url === 'string' && (l.req as { url: string }).url.startsWith('/auth/oidc/test/callback?code=%5Bredacted%5D')), 'the callback is logged, its code redacted')
})

t.test('a link start is refused when a cross-site page navigates a signed-in browser to it', async t => {
  const app = await build(t, OIDC)
  const owner = await registerVerified(app)
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: owner.user.email, password: PASSWORD } })
  const session = `${ACCESS}=${cookie(login, 'access_token')!.value}`
  const linkStart = (headers: Record<string, string>) => app.inject({ url: '/auth/oidc/test/start?link=true&redirect_to=/account/security', headers: { cookie: session, ...headers } })
  const refused: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { referer: 'https://evil.test/page' }, {}]
  for (const headers of refused) {
    const res = await linkStart(headers)
    t.same([res.statusCode, res.json().code], [403, 'AUTH_CSRF_FAILED'], JSON.stringify(headers))
  }
  t.equal(await app.mongo.collection('oidc_transactions').countDocuments(), 0, 'no link transaction was opened')
  const ours = await linkStart({ 'sec-fetch-site': 'same-origin' })
  t.equal(ours.statusCode, 302, 'a link from our own pages starts')
  const signIn = await app.inject({ url: '/auth/oidc/test/start', headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(signIn.statusCode, 302, 'a sign-in (no link) may start from anywhere')
})

t.test('linking a provider: a verified address, a recent authentication, and credentials unchanged until the callback', async t => {
  const app = await build(t, OIDC)
  const linkStart = (token: string) => app.inject({ url: '/auth/oidc/test/start?link=true&redirect_to=/account/security', headers: auth(token) })
  const squatter = await registerBearer(app)
  t.equal((await linkStart(squatter.accessToken)).headers.location, '/account/security?error=AUTH_EMAIL_NOT_VERIFIED', 'an unverified account links nothing')

  const owner = await registerVerified(app)
  await app.mongo.collection('users').updateOne({ email: owner.user.email }, { $set: { 'sessions.0.authTime': new Date(Date.now() - 6 * 60_000) }, $inc: { rev: 1 } })
  t.equal((await linkStart(owner.accessToken)).headers.location, '/account/security?error=AUTH_STEP_UP_REQUIRED', 'a session that signed in 6 minutes ago re-authenticates first')
  t.equal(await app.mongo.collection('oidc_transactions').countDocuments(), 0, 'no link transaction opened')
  const renewed = await app.inject({ method: 'POST', url: '/auth/reauthenticate', headers: { ...BEARER, ...auth(owner.accessToken) }, payload: { password: PASSWORD } })
  t.equal(renewed.statusCode, 200, 'premise: re-authenticated')

  const changes = {
    '"log out everywhere"': (token: string) => app.inject({ method: 'POST', url: '/auth/logout-all', headers: auth(token) }),
    'a password change': (token: string) => app.inject({ method: 'POST', url: '/auth/password', headers: auth(token), payload: { currentPassword: PASSWORD, newPassword: PASSWORD } })
  }
  for (const [what, change] of Object.entries(changes)) {
    // A fresh sign-in: recent enough to start a link.
    const session = (await loginBearer(app, owner.user.email)).json()
    const started = await start(app, '?link=true&redirect_to=/account/security', auth(session.accessToken))
    t.equal((await change(session.accessToken)).statusCode, 204, `premise: ${what}`)
    const back = await callback(app, await idp.signIn(started.location, name()), started.tx)
    t.equal(back.headers.location, '/account/security?error=AUTH_SESSION_REVOKED', `a link started before ${what} is refused at the callback`)
  }
  t.equal(await app.mongo.collection('identities').countDocuments(), 0, 'nothing was linked')
  const session = (await loginBearer(app, owner.user.email)).json()
  const started = await start(app, '?link=true&redirect_to=/account/security', auth(session.accessToken))
  const back = await callback(app, await idp.signIn(started.location, name()), started.tx)
  t.equal(back.headers.location, '/account/security', 'premise: an undisturbed link goes through')
  t.equal(await app.mongo.collection('identities').countDocuments(), 1)
})
