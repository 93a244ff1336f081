import type { FastifyInstance } from 'fastify'
import { Types } from 'mongoose'
import { generate } from 'otplib'
import type { CDPSession, Page } from 'playwright-core'
import t from 'tap'
import { freePort, openPage, skipWithoutChromium } from './chromium.js'
import { BEARER, build, jwtClaims, PASSWORD, uniqueEmail } from '../helper.js'

const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })

/** A platform authenticator that holds discoverable credentials and verifies its user (a PIN, a fingerprint). */
const AUTHENTICATOR = {
  protocol: 'ctap2',
  ctap2Version: 'ctap2_1',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
  defaultBackupEligibility: true,
  defaultBackupState: true
} as const

/** In the page: a sign-in ceremony against the server's options, without sending the answer. */
const ASSERT = `(async () => {
  const { challengeId, options } = await fetch('/auth/passkeys/login/options', { method: 'POST' }).then(r => r.json())
  const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) })
  return { challengeId, response: credential.toJSON() }
})()`

type Assertion = { challengeId: string, response: { id: string } }

const verify = (app: FastifyInstance, payload: unknown) =>
  app.inject({ method: 'POST', url: '/auth/passkeys/login/verify', headers: BEARER, payload: payload as Record<string, unknown> })

/** From signed in: sign out, then the sign-in page's passkey button, to the account (or the second step). */
async function passkeySignIn (page: Page, base: string) {
  await page.click('#sign-out')
  await page.waitForURL(`${base}/login`)
  await page.click('#passkey-sign-in')
  await page.waitForURL(/\/account$|\/login\/second-factor$/)
}

t.test('passkeys in Chromium, with a virtual authenticator', { skip: skipWithoutChromium, timeout: 120_000 }, async t => {
  const port = await freePort()
  // localhost is a secure context over plain http, so WebAuthn runs; the RP id is "localhost".
  const base = `http://localhost:${port}`
  const app = await build(t, { COOKIE_SECURE: 'false', PUBLIC_URL: base })
  await app.listen({ port, host: '127.0.0.1' })
  const { page, errors } = await openPage(t, ['--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1'])
  const context = page.context()
  const cdp: CDPSession = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
  const passkeys = app.mongo.collection('passkeys')

  // Sign up, then add a passkey on the security page.
  await page.goto(`${base}/signup`)
  const email = uniqueEmail()
  await page.fill('#sign-up input[name=email]', email)
  await page.fill('#sign-up input[name=password]', PASSWORD)
  await page.click('#sign-up button[type=submit]')
  await page.waitForURL(`${base}/account`)
  // The address as its link would verify it (account-ui.test.ts follows the link): only a verified account adds a passkey.
  const users = app.mongo.collection('users')
  await users.updateOne({ email }, { $set: { emailVerified: true }, $inc: { rev: 1 } })
  await page.goto(`${base}/account/security`)
  await page.fill('#add-passkey input[name=name]', 'Laptop')
  await page.click('#add-passkey button[type=submit]')
  await page.locator('#add-passkey .status[data-kind=success]', { hasText: 'Laptop is added' }).waitFor()
  await page.locator('#passkeys li', { hasText: /^Laptop Synced/ }).waitFor()
  const stored = (await passkeys.findOne({}))!
  t.match(stored, { name: 'Laptop', backupEligible: true, backedUp: true }, 'stored with its backup flags')
  t.notOk(JSON.stringify(stored).includes(email), 'the user handle is not the email')

  // The options of the next registration exclude it: the same authenticator will not make a second.
  const options = await page.evaluate("fetch('/auth/passkeys/register/options', { method: 'POST' }).then(r => r.json())") as { excludeCredentials: Array<{ id: string }>, authenticatorSelection: object }
  t.same(options.excludeCredentials.map(c => c.id), [stored.credentialId], 'excludeCredentials')
  t.match(options.authenticatorSelection, { residentKey: 'required', userVerification: 'preferred' })

  // Sign out, and back in with the passkey alone: cookie mode, through the sign-in page.
  await passkeySignIn(page, base)
  t.equal(await page.textContent('#email'), email, 'signed in with the passkey, no email asked')
  const verified = await page.evaluate("fetch('/auth/verify').then(r => r.json())") as { amr: string[], aal: string }
  t.match(verified, { amr: ['hwk', 'user'], aal: 'aal2' }, 'user verification: two factors')

  // Bearer mode, with an assertion made in the browser; then the same assertion again.
  const assertion = await page.evaluate(ASSERT) as Assertion
  const bearer = await verify(app, assertion)
  t.equal(bearer.statusCode, 200)
  t.match(bearer.json(), { tokenType: 'Bearer', user: { email } })
  t.match(jwtClaims(bearer.json().accessToken), { amr: ['hwk', 'user'], aal: 'aal2' })
  const replay = await verify(app, assertion)
  t.same([replay.statusCode, replay.json().code], [401, 'AUTH_PASSKEY_FAILED'], 'a replayed challenge')
  const unknownChallenge = await verify(app, { ...assertion, challengeId: 'f'.repeat(24) })
  t.same([unknownChallenge.statusCode, unknownChallenge.json().code], [401, 'AUTH_PASSKEY_FAILED'], 'an unknown challenge')

  // A disabled account: the passkey verifies, and the sign-in is refused.
  const owner = bearer.json().user.id as string
  await app.lifecycleService.disable(owner, { ip: '127.0.0.1', userAgent: 'test' }, owner)
  const disabled = await verify(app, await page.evaluate(ASSERT))
  t.same([disabled.statusCode, disabled.json().code], [403, 'AUTH_ACCOUNT_DISABLED'], 'a disabled account')
  await app.lifecycleService.enable(owner, { ip: '127.0.0.1', userAgent: 'test' }, owner)
  // Disabling revoked the page's session too: the page finds out and asks to sign in again.
  await page.goto(`${base}/account/security`)
  await page.waitForURL(`${base}/login?redirect_to=%2Faccount%2Fsecurity`)
  await page.click('#passkey-sign-in')
  await page.waitForURL(`${base}/account/security`)
  t.equal(page.url(), `${base}/account/security`, 'enabled again: signed in with the passkey, and back')

  // A second passkey, on a second authenticator (the first one is excluded).
  const { authenticatorId: second } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { ...AUTHENTICATOR, transport: 'usb', defaultBackupEligibility: false, defaultBackupState: false } })
  await page.click('#add-passkey button[type=submit]')
  await page.locator('#passkeys li', { hasText: /^PasskeyAdded/ }).waitFor()
  // Renamed on the page.
  const laptop = page.locator('#passkeys li', { hasText: /^Laptop Synced/ })
  await laptop.locator('summary').click()
  await laptop.locator('input[name=name]').fill('Work laptop')
  await laptop.locator('button[type=submit]').click()
  await page.locator('#page-status[data-kind=success]', { hasText: 'Renamed to Work laptop.' }).waitFor()
  await page.locator('#passkeys li', { hasText: /^Work laptop Synced/ }).waitFor()
  t.equal(await passkeys.countDocuments(), 2)
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: second })

  // Turn on TOTP: a verified passkey still signs in without a code…
  const enrolment = await page.evaluate("fetch('/auth/mfa/totp', { method: 'POST' }).then(r => r.json())") as { factorId: string, secret: string }
  const activated = await page.evaluate(`fetch('/auth/mfa/totp/${enrolment.factorId}/activate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: '${await code(enrolment.secret)}' }) }).then(r => r.status)`)
  t.equal(activated, 200)
  await passkeySignIn(page, base)
  t.equal(page.url(), `${base}/account`, 'a TOTP user with a verified passkey is not asked for a code')

  // …but without user verification it is one factor, and the code is asked.
  await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBadUV: true })
  const noUv = await verify(app, await page.evaluate(ASSERT))
  t.same([noUv.statusCode, noUv.json().code, noUv.json().mfa?.methods], [401, 'AUTH_MFA_REQUIRED', ['totp', 'recovery_code']], 'no user verification: AUTH_MFA_REQUIRED')
  const second2 = await app.inject({ method: 'POST', url: '/auth/mfa/verify', headers: BEARER, payload: { mfaToken: noUv.json().mfa.token, code: await code(enrolment.secret, 1) } })
  t.match(jwtClaims(second2.json().accessToken), { amr: ['hwk', 'otp'], aal: 'aal2' }, 'then the code completes it')
  await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBadUV: false })

  const bogus = await (async () => {
    await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: true })
    try { return await verify(app, await page.evaluate(ASSERT)) } finally { await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: false }) }
  })()
  t.same([bogus.statusCode, bogus.json().code], [401, 'AUTH_PASSKEY_FAILED'], 'a bad signature')

  // The passkey answers for another user than its owner, or its backup eligibility changed.
  await passkeys.updateOne({ _id: stored._id }, { $set: { userId: new Types.ObjectId() } })
  const otherUser = await verify(app, await page.evaluate(ASSERT))
  t.same([otherUser.statusCode, otherUser.json().code], [401, 'AUTH_PASSKEY_FAILED'], "a user handle that is not the passkey's owner")
  await passkeys.updateOne({ _id: stored._id }, { $set: { userId: stored.userId, backupEligible: false } })
  const flags = await verify(app, await page.evaluate(ASSERT))
  t.same([flags.statusCode, flags.json().code], [401, 'AUTH_PASSKEY_FAILED'], 'a backup-eligibility flag that changed')
  await passkeys.updateOne({ _id: stored._id }, { $set: { backupEligible: true } })

  // A counter that goes backwards: refused and audited.
  await passkeys.updateOne({ _id: stored._id }, { $set: { counter: 1_000_000 } })
  const cloned = await verify(app, await page.evaluate(ASSERT))
  t.same([cloned.statusCode, cloned.json().code], [401, 'AUTH_PASSKEY_FAILED'], 'a counter regression')
  t.ok(await app.mongo.collection('audit').countDocuments({ type: 'passkey.counter_regression' }), 'audited as a possible clone')
  t.equal((await passkeys.findOne({ _id: stored._id }))!.counter, 1_000_000, 'the lower value is not stored')
  await passkeys.updateOne({ _id: stored._id }, { $set: { counter: 0 } })

  // Another RP id: a page on other.localhost makes a credential and an assertion for itself.
  const other = await context.newPage()
  const otherCdp = await context.newCDPSession(other)
  await otherCdp.send('WebAuthn.enable', { enableUI: false })
  await otherCdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
  // A page that stays put (no script of ours navigating it away).
  await other.goto(`http://other.localhost:${port}/health/live`)
  const session = second2.json().accessToken as string
  const creation = (await app.inject({ method: 'POST', url: '/auth/passkeys/register/options', headers: { authorization: `Bearer ${session}` } })).json()
  const foreignRegistration = await other.evaluate(`(async () => {
    const options = PublicKeyCredential.parseCreationOptionsFromJSON(${JSON.stringify({ ...creation, rp: { id: 'other.localhost', name: 'Other' } })})
    return (await navigator.credentials.create({ publicKey: options })).toJSON()
  })()`)
  const foreign = await app.inject({ method: 'POST', url: '/auth/passkeys/register/verify', headers: { authorization: `Bearer ${session}` }, payload: { response: foreignRegistration } })
  t.same([foreign.statusCode, foreign.json().code], [400, 'AUTH_PASSKEY_FAILED'], 'a registration for another RP id, with our challenge')
  const loginOptions = (await app.inject({ method: 'POST', url: '/auth/passkeys/login/options', headers: BEARER })).json()
  const foreignAssertion = await other.evaluate(`(async () => {
    const options = PublicKeyCredential.parseRequestOptionsFromJSON(${JSON.stringify({ ...loginOptions.options, rpId: 'other.localhost' })})
    return (await navigator.credentials.get({ publicKey: options })).toJSON()
  })()`)
  const wrongRp = await verify(app, { challengeId: loginOptions.challengeId, response: foreignAssertion })
  t.same([wrongRp.statusCode, wrongRp.json().code], [401, 'AUTH_PASSKEY_FAILED'], 'an assertion for another RP id, with our challenge')

  const renamed = await app.inject({ method: 'PATCH', url: `/users/me/passkeys/${stored._id.toHexString()}`, headers: { authorization: `Bearer ${session}` }, payload: { name: ' Laptop ' } })
  t.match(renamed.json(), { passkey: { id: stored._id.toHexString(), name: 'Laptop', backedUp: true } }, 'renamed (the API trims)')

  // Removal: on the security page, and never the last way to sign in. Every session signed in
  // an hour ago, so the page asks to confirm first: with a passkey this time.
  const user = (await users.findOne({ email }))!
  await users.updateOne({ _id: user._id }, { $set: { sessions: user.sessions.map((s: object) => ({ ...s, authTime: new Date(Date.now() - 3600_000) })) }, $inc: { rev: 1 } })
  await page.goto(`${base}/account/security`)
  await page.getByRole('button', { name: 'Remove Passkey' }).click()
  await page.click('#reauth-passkey')
  await page.locator('#page-status[data-kind=success]', { hasText: 'Passkey is removed.' }).waitFor()
  t.equal(await app.mongo.collection('audit').countDocuments({ type: 'session.reauthenticated', 'detail.method': 'passkey' }), 1, 'confirmed with the passkey')
  t.equal(await page.locator('#passkeys li', { hasText: /^PasskeyAdded/ }).count(), 0, 'gone from the list')
  t.equal(await passkeys.countDocuments(), 1, 'removed')
  const renewed = await app.inject({ method: 'POST', url: '/auth/reauthenticate', headers: { ...BEARER, authorization: `Bearer ${session}` }, payload: { password: PASSWORD } })
  await app.mongo.collection('users').updateOne({ email }, { $set: { passwordHash: null } })
  const last = await app.inject({ method: 'DELETE', url: `/users/me/passkeys/${stored._id.toHexString()}`, headers: { authorization: `Bearer ${renewed.json().accessToken}` } })
  t.same([last.statusCode, last.json().code], [409, 'AUTH_LAST_LOGIN_METHOD'], 'the last passkey of an account without a password stays')
  t.equal(await passkeys.countDocuments(), 1)

  const audit = await app.mongo.collection('audit').distinct('type', { type: /^passkey\./ })
  t.same(audit.sort(), ['passkey.added', 'passkey.counter_regression', 'passkey.removed', 'passkey.used'], 'added, used and removed are audited')
  t.same(errors, [], 'no page errors')
})
