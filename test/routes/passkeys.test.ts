import t from 'tap'
import { BEARER, build, registerVerified } from '../helper.js'

// The ceremonies themselves need an authenticator: test/e2e/passkeys.test.ts drives Chromium's.
const auth = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })
const clientData = (challenge: string) => Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin: 'http://localhost:3000' })).toString('base64url')
const credential = (response: Record<string, string>) => ({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response, clientExtensionResults: {} })

t.test('registration options: a discoverable credential for this RP, the user handle not the email', async t => {
  const app = await build(t, { WEBAUTHN_RP_NAME: 'Acme' })
  const owner = await registerVerified(app)
  const res = await app.inject({ method: 'POST', url: '/auth/passkeys/register/options', headers: auth(owner.accessToken) })
  t.equal(res.statusCode, 200)
  const options = res.json()
  t.match(options, {
    rp: { id: 'localhost', name: 'Acme' },
    user: { name: owner.user.email },
    excludeCredentials: [],
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    attestation: 'none'
  })
  t.not(Buffer.from(options.user.id, 'base64url').toString(), owner.user.email)
  t.ok(await app.mongo.collection('webauthn_challenges').countDocuments({ challenge: options.challenge, purpose: 'register' }), 'the challenge is kept server-side')
  const anonymous = await app.inject({ method: 'POST', url: '/auth/passkeys/register/options' })
  t.same([anonymous.statusCode, anonymous.json().code], [401, 'AUTH_NO_TOKEN'])
})

t.test('a registration answer that does not verify is 400 AUTH_PASSKEY_FAILED', async t => {
  const app = await build(t)
  const owner = await registerVerified(app)
  const { challenge } = (await app.inject({ method: 'POST', url: '/auth/passkeys/register/options', headers: auth(owner.accessToken) })).json()
  for (const [why, response] of [
    ['an unknown challenge', credential({ clientDataJSON: clientData('nope'), attestationObject: 'AAAA' })],
    ['unreadable client data', credential({ clientDataJSON: '!!!', attestationObject: 'AAAA' })],
    ['client data without a challenge', credential({ clientDataJSON: Buffer.from(JSON.stringify({ challenge: 5 })).toString('base64url'), attestationObject: 'AAAA' })],
    ['a garbage attestation', credential({ clientDataJSON: clientData(challenge), attestationObject: 'AAAA' })],
    ['the challenge again, used by the attempt above', credential({ clientDataJSON: clientData(challenge), attestationObject: 'AAAA' })]
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/auth/passkeys/register/verify', headers: auth(owner.accessToken), payload: { response } })
    t.same([res.statusCode, res.json().code], [400, 'AUTH_PASSKEY_FAILED'], why)
  }
  t.equal(await app.mongo.collection('passkeys').countDocuments(), 0)
})

t.test('sign-in options: discoverable (no allowCredentials), and an answer that does not verify is 401', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/auth/passkeys/login/options', headers: BEARER, payload: {} })
  t.equal(res.statusCode, 200)
  const { challengeId, options } = res.json()
  t.match(options, { rpId: 'localhost', userVerification: 'preferred' })
  t.notOk(options.allowCredentials?.length, 'any passkey of this site')
  const assertion = credential({ clientDataJSON: clientData(options.challenge), authenticatorData: 'AAAA', signature: 'AAAA' })
  for (const [why, id] of [['an unknown passkey', challengeId], ['a used challenge', challengeId], ['an unknown challenge', 'a'.repeat(24)]]) {
    const failed = await app.inject({ method: 'POST', url: '/auth/passkeys/login/verify', headers: BEARER, payload: { challengeId: id, response: assertion } })
    t.same([failed.statusCode, failed.json().code], [401, 'AUTH_PASSKEY_FAILED'], why)
  }
  const malformed = await app.inject({ method: 'POST', url: '/auth/passkeys/login/verify', headers: BEARER, payload: { challengeId, response: { id: 1 } } })
  t.same([malformed.statusCode, malformed.json().code], [400, 'VALIDATION_ERROR'])
})

t.test('managing passkeys: list, and unknown ids are 404', async t => {
  const app = await build(t)
  const owner = await registerVerified(app)
  t.same((await app.inject({ url: '/users/me/passkeys', headers: auth(owner.accessToken) })).json(), { passkeys: [] })
  const id = 'b'.repeat(24)
  const rename = await app.inject({ method: 'PATCH', url: `/users/me/passkeys/${id}`, headers: auth(owner.accessToken), payload: { name: 'Phone' } })
  t.same([rename.statusCode, rename.json().code], [404, 'AUTH_PASSKEY_NOT_FOUND'])
  const remove = await app.inject({ method: 'DELETE', url: `/users/me/passkeys/${id}`, headers: auth(owner.accessToken) })
  t.same([remove.statusCode, remove.json().code], [404, 'AUTH_PASSKEY_NOT_FOUND'])
  const blank = await app.inject({ method: 'PATCH', url: `/users/me/passkeys/${id}`, headers: auth(owner.accessToken), payload: { name: '   ' } })
  t.same([blank.statusCode, blank.json().code], [400, 'VALIDATION_ERROR'], 'a name needs a visible character')
})
