import { randomBytes } from 'node:crypto'
import { generate } from 'otplib'
import t from 'tap'
import { openPage, skipWithoutChromium } from './chromium.js'
import { serveWithProvider } from './provider.js'
import { PASSWORD, uniqueEmail } from '../helper.js'

const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })

t.test('the account UI with a provider: link from the security page, unlink, "Continue with", the second step, back to redirect_to', { skip: skipWithoutChromium, timeout: 90_000 }, async t => {
  const { app, base, idp } = await serveWithProvider(t)
  const { page, errors } = await openPage(t)
  const login = `chromium-${randomBytes(4).toString('hex')}`
  /** The provider's own pages: its login form, then its consent form. */
  async function atTheProvider () {
    await page.waitForURL(`${idp.issuer}/**`)
    await page.fill('input[name=login]', login)
    await page.fill('input[name=password]', 'any')
    await page.click('button[type=submit]')
    await page.waitForSelector('input[value=consent]', { state: 'attached' })
    await page.click('button[type=submit]')
  }

  // A password account links the provider from the security page, then unlinks it.
  await page.goto(`${base}/signup`)
  const email = uniqueEmail()
  await page.fill('#sign-up input[name=email]', email)
  await page.fill('#sign-up input[name=password]', PASSWORD)
  await page.click('#sign-up button[type=submit]')
  await page.waitForURL(`${base}/account`)
  await page.goto(`${base}/account/security`)
  await page.click('text=Link a Test IdP account')
  await page.locator('#page-status[data-kind=error]', { hasText: 'Confirm your email address first' }).waitFor()
  t.match(page.url(), `${base}/account/security`, 'an unverified account links nothing: back with the reason')
  // Verified (as its link would: account-ui.test.ts follows it), and signed in an hour ago.
  await app.mongo.collection('users').updateOne({ email }, { $set: { emailVerified: true, 'sessions.0.authTime': new Date(Date.now() - 3600_000) }, $inc: { rev: 1 } })
  await page.click('text=Link a Test IdP account')
  // Back for a recent authentication: the page asks for the password, then starts the link again.
  await page.locator('#reauth input[name=password]').fill(PASSWORD)
  await page.click('#reauth-confirm')
  await atTheProvider()
  await page.waitForURL(`${base}/account/security`)
  await page.locator('#page-status[data-kind=success]', { hasText: 'The account is linked' }).waitFor()
  await page.locator('#identities li', { hasText: `Test IdP: ${login}@idp.test` }).waitFor()
  await page.getByRole('button', { name: `Unlink Test IdP account ${login}@idp.test` }).click()
  await page.locator('#page-status[data-kind=success]', { hasText: 'The Test IdP account is unlinked.' }).waitFor()
  t.equal(await page.locator('#identities li').count(), 0, 'unlinked')

  // Signed out, "Continue with" the provider: a new account (its address is no one's here).
  await page.click('#sign-out')
  await page.waitForURL(`${base}/login`)
  await page.click('text=Continue with Test IdP')
  // The provider remembers its user: straight back, through /login, to the account.
  await page.waitForURL(`${base}/account`)
  await page.locator('#email', { hasText: `${login}@idp.test` }).waitFor()
  t.equal(await page.evaluate('document.cookie'), '', 'the session is in HttpOnly cookies only')
  await page.goto(`${base}/account/security`)
  await page.getByRole('button', { name: `Unlink Test IdP account ${login}@idp.test` }).click()
  await page.locator('#page-status[data-kind=error]', { hasText: 'This is your last way to sign in.' }).waitFor()
  t.pass('the last way to sign in stays, and the page says why')
  // No password: no form asking for the current one, the way to set one instead.
  t.equal(await page.isVisible('#change-password'), false, 'no change-password form')
  t.match(await page.locator('.needs-password').textContent(), /You sign in without a password/)
  await page.goto(`${base}/account`)
  await page.locator('#email', { hasText: `${login}@idp.test` }).waitFor()
  t.equal(await page.isVisible('#change-email'), false, 'no change-email form')
  t.equal(await page.getByRole('link', { name: 'Get a link to set a password.' }).getAttribute('href'), '/forgot-password')
  await page.goto(`${base}/account/security`)
  await page.locator('#mfa-state:not(:empty)').waitFor()

  // With an authenticator app on, the provider's sign-in comes back for the second step, and an
  // app's redirect_to survives both steps.
  await page.click('#enrol button[type=submit]')
  await page.locator('#activate').waitFor()
  const secret = (await page.textContent('#totp-secret code'))!.replace(/\s/g, '')
  await page.fill('#activate input[name=code]', await code(secret))
  await page.click('#activate button[type=submit]')
  await page.locator('#mfa-state', { hasText: '10 recovery codes left' }).waitFor()
  await page.click('#sign-out')
  await page.waitForURL(`${base}/login`)
  await page.goto(`${base}/login?redirect_to=${encodeURIComponent('/health/live')}`)
  await page.click('text=Continue with Test IdP')
  await page.waitForURL(`${base}/login/second-factor?redirect_to=${encodeURIComponent('/health/live')}`)
  t.equal(await page.evaluate('document.cookie'), '', 'no session before the second step')
  await page.fill('#second-step input[name=code]', await code(secret, 1))
  await page.click('#second-step button[type=submit]')
  await page.waitForURL(`${base}/health/live`)
  t.pass('signed in through the provider and the second step, and sent on to redirect_to')
  t.same(errors, [], 'no page errors')
})
