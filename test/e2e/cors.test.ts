import { createServer, type Server } from 'node:http'
import { Types } from 'mongoose'
import { generate } from 'otplib'
import t, { type Test } from 'tap'
import { identityKey } from '../../models/identity.js'
import { passkeyKey } from '../../models/passkey.js'
import { CHROMIUM, CHROMIUM_ARGS as ARGS, freePort, skipWithoutChromium as skip } from './chromium.js'
import { build, PASSWORD, uniqueEmail } from '../helper.js'

const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })

/** Another app's origin: one empty page on its own port (same site, another origin). */
async function otherApp (t: Test): Promise<string> {
  const port = await freePort()
  const server: Server = createServer((_request, response) => response.end('<!doctype html><title>Another app</title>'))
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  return `http://127.0.0.1:${port}`
}

t.test('an app on an allowed origin uses every client call that sends PATCH or DELETE; another origin is refused', { skip, timeout: 90_000 }, async t => {
  const { chromium } = await import('playwright-core')
  const apiPort = await freePort()
  const api = `http://127.0.0.1:${apiPort}`
  const [allowed, foreign] = [await otherApp(t), await otherApp(t)]
  const app = await build(t, { COOKIE_SECURE: 'false', PUBLIC_URL: api, ALLOWED_ORIGINS: allowed })
  await app.listen({ port: apiPort, host: '127.0.0.1' })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  t.teardown(() => browser.close())
  const page = await (await browser.newContext()).newPage()
  /** A client call made by the page, with the browser client loaded from the auth server. */
  const call = (name: string, ...args: unknown[]) => page.evaluate(async ([base, n, a]) => {
    try {
      const scope = globalThis as unknown as { auth?: Record<string, (...x: unknown[]) => Promise<unknown>> }
      scope.auth ??= (await import(`${base}/client.js`)).createAuthClient({ baseUrl: base })
      return (await scope.auth![n as string]!(...(a as unknown[]))) ?? null
    } catch (e) {
      return { error: (e as { code?: string }).code ?? (e as Error).message }
    }
  }, [api, name, args] as const)

  await page.goto(allowed)
  const email = uniqueEmail()
  t.match(await call('register', { email, password: PASSWORD }), { tokenType: 'Cookie', user: { email } }, 'signed up from the other origin, with cookies')
  const users = app.mongo.collection('users')
  const user = (await users.findOne({ email }))!
  // Verified as its link would (email-verification.test.ts), so it may add an authenticator.
  await users.updateOne({ _id: user._id }, { $set: { emailVerified: true }, $inc: { rev: 1 } })

  t.match(await call('updateProfile', { name: 'Ada' }), { name: 'Ada' }, 'PATCH /users/me')
  await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } })
  const other = ((await call('sessions')) as Array<{ id: string, current: boolean }>).find(s => !s.current)!
  t.equal(await call('revokeSession', { id: other.id }), null, 'DELETE /auth/sessions/:id')

  await app.models.passkeys.create({ _id: passkeyKey('cors'), userId: user._id, credentialId: 'cors', publicKey: 'AAAA', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Laptop', createdAt: new Date(), lastUsedAt: null })
  const passkeyId = passkeyKey('cors').toHexString()
  t.match(await call('renamePasskey', { id: passkeyId, name: 'Work laptop' }), { name: 'Work laptop' }, 'PATCH /users/me/passkeys/:id')
  t.equal(await call('removePasskey', { id: passkeyId }), null, 'DELETE /users/me/passkeys/:id')

  const identity = await app.models.identities.create({ _id: identityKey('https://idp.example', 'cors'), userId: user._id, provider: 'test', issuer: 'https://idp.example', subject: 'cors', email, createdAt: new Date(), lastUsedAt: new Date() })
  t.equal(await call('unlinkIdentity', { id: identity._id.toHexString() }), null, 'DELETE /users/me/identities/:id')

  const { factorId, secret } = await call('enrolTotp') as { factorId: string, secret: string }
  t.equal(((await call('activateTotp', { factorId, code: await code(secret) })) as string[]).length, 10)
  t.equal(await call('removeTotp', { factorId, code: await code(secret, 1) }), null, 'DELETE /auth/mfa/totp/:id')
  t.equal(await app.mongo.collection('mfa_factors').countDocuments({ userId: new Types.ObjectId(user._id) }), 0)

  // PUT is the admin API's (roles): its preflight is allowed too.
  const preflight = await app.inject({ method: 'OPTIONS', url: '/admin/users/x/roles', headers: { origin: allowed, 'access-control-request-method': 'PUT' } })
  t.match(preflight.headers['access-control-allow-methods'], /\bPUT\b/, 'the preflight allows PUT')

  await page.goto(foreign)
  const refused = await call('updateProfile', { name: 'Mallory' }) as { error: string }
  t.match(refused.error, /fetch|client/i, 'another origin cannot even load the client or call')
  t.equal((await users.findOne({ _id: user._id }))?.name, 'Ada', 'nothing changed')
})
