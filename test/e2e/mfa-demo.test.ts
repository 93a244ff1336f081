import { generate } from 'otplib'
import t from 'tap'
import { openPage, skipWithoutChromium } from './chromium.js'
import { build, PASSWORD, uniqueEmail } from '../helper.js'

const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })

t.test('the demo page: turn on two-factor sign-in from a QR code, then log in in two steps', { skip: skipWithoutChromium, timeout: 90_000 }, async t => {
  const app = await build(t, { COOKIE_SECURE: 'false' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { page, errors } = await openPage(t)
  await page.goto(`${base}/`)
  const email = uniqueEmail()
  await page.fill('#register input[name=email]', email)
  await page.fill('#register input[name=password]', PASSWORD)
  await page.click('#register button[type=submit]')
  await page.locator('#mfa-status', { hasText: 'Off' }).waitFor()

  await page.click('#enrol')
  await page.waitForSelector('#activate:not([hidden])')
  t.ok(await page.evaluate('document.getElementById("qr").naturalWidth > 0'), 'the QR code renders (a data: URL, allowed by the CSP)')
  const secret = (await page.textContent('#totp-secret'))!
  await page.fill('#activate input[name=code]', await code(secret))
  await page.click('#activate button[type=submit]')
  await page.waitForSelector('#recovery:not([hidden])')
  t.equal(await page.locator('#recovery-codes li').count(), 10, 'ten recovery codes shown')
  await page.locator('#mfa-status', { hasText: '10 recovery codes left' }).waitFor()

  await page.click('#logout')
  await page.waitForSelector('#signed-out:not([hidden])')
  await page.fill('#login input[name=email]', email)
  await page.fill('#login input[name=password]', PASSWORD)
  await page.click('#login button[type=submit]')
  await page.waitForSelector('#second-step:not([hidden])')
  t.equal(await page.evaluate('document.cookie'), '', 'no session before the second step')
  await page.fill('#second-step input[name=code]', await code(secret, 1))
  await page.click('#second-step button[type=submit]')
  await page.waitForSelector('#signed-in:not([hidden])')
  t.equal(await page.textContent('#who'), email, 'signed in after the second step')
  t.same(errors, [], 'no page errors')
})
