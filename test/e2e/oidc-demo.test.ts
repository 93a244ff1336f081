import { randomBytes } from 'node:crypto'
import t from 'tap'
import { freePort, openPage, skipWithoutChromium } from './chromium.js'
import { build } from '../helper.js'
import { CLIENT_ID, CLIENT_SECRET, startIdp } from '../oidc-idp.js'

t.test('the demo page: "Continue with" a provider, and back signed in', { skip: skipWithoutChromium, timeout: 90_000 }, async t => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const idp = await startIdp([`${base}/auth/oidc/test/callback`])
  t.teardown(idp.close)
  const app = await build(t, {
    COOKIE_SECURE: 'false',
    PUBLIC_URL: base,
    OIDC_PROVIDERS: 'test',
    OIDC_TEST_ISSUER: idp.issuer,
    OIDC_TEST_CLIENT_ID: CLIENT_ID,
    OIDC_TEST_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_TEST_NAME: 'Test IdP'
  })
  await app.listen({ port, host: '127.0.0.1' })
  const { page, errors } = await openPage(t)
  await page.goto(`${base}/`)
  await page.click('text=Continue with Test IdP')

  // The provider's own pages: its login form, then its consent form.
  const login = `chromium-${randomBytes(4).toString('hex')}`
  await page.waitForURL(`${idp.issuer}/**`)
  await page.fill('input[name=login]', login)
  await page.fill('input[name=password]', 'any')
  await page.click('button[type=submit]')
  await page.waitForSelector('input[value=consent]', { state: 'attached' })
  await page.click('button[type=submit]')

  await page.waitForURL(`${base}/`)
  await page.waitForSelector('#signed-in:not([hidden])')
  t.equal(await page.textContent('#who'), `${login}@idp.test`, 'signed in as the provider said')
  await page.locator('#identities li', { hasText: `Test IdP: ${login}@idp.test` }).waitFor()
  t.equal(await page.evaluate('document.cookie'), '', 'the session is in HttpOnly cookies only')

  // An app sends a signed-out user to /login?redirect_to=…; the provider brings them back there.
  await page.click('#logout')
  await page.waitForSelector('#signed-out:not([hidden])')
  await page.goto(`${base}/login?redirect_to=${encodeURIComponent('/health/live')}`)
  await page.click('text=Continue with Test IdP')
  // The provider remembers its user: no forms this time, straight back and on.
  await page.waitForURL(`${base}/health/live`)
  t.pass('signed in through the provider, and sent on to redirect_to')
  t.same(errors, [], 'no page errors')
})
