import t from 'tap'
import { openPage, skipWithoutChromium as skip } from './chromium.js'
import { BEARER, build, PASSWORD, registerBearer } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

t.test('the pages mail links open: rendering one consumes nothing, a click does', { skip, timeout: 90_000 }, async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, COOKIE_SECURE: 'false' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { page, errors } = await openPage(t)
  const tokens = app.mongo.collection('one_time_tokens')

  const { user, accessToken } = await registerBearer(app)
  const verifyToken = tokenIn(await smtp.mailTo(user.email, /confirm your email/), 'verify-email')
  // What a scanner running headless Chrome does: open the link and run its scripts.
  await page.goto(`${base}/verify-email#token=${verifyToken}`)
  await page.waitForSelector('#confirm:not([hidden])')
  t.equal(new URL(page.url()).hash, '', 'the token is gone from the address bar')
  t.equal(await tokens.countDocuments({ purpose: 'verify_email', usedAt: null }), 1, 'rendered: nothing consumed')
  await page.click('#confirm')
  await page.locator('#page-status', { hasText: 'is confirmed' }).waitFor()
  const profile = await app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${accessToken}` } })
  t.equal(profile.json().user.emailVerified, true, 'the click verified the address')

  await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: user.email } })
  const resetToken = tokenIn(await smtp.mailTo(user.email, /reset your password/), 'reset-password')
  await page.goto(`${base}/reset-password#token=${resetToken}`)
  await page.waitForSelector('#reset:not([hidden])')
  t.equal(await tokens.countDocuments({ purpose: 'password_reset', usedAt: null }), 1, 'rendered: nothing consumed')
  const NEW_PASSWORD = 'chosen on the reset page'
  await page.fill('#reset input[name=password]', NEW_PASSWORD)
  await page.click('#reset button[type=submit]')
  await page.locator('#page-status', { hasText: 'Your password is changed' }).waitFor()
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: user.email, password: NEW_PASSWORD } })
  t.equal(login.statusCode, 200, 'the new password logs in')
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: user.email, password: PASSWORD } })).statusCode, 401)

  await page.goto('about:blank')
  await page.goto(`${base}/reset-password#token=${resetToken}`)
  await page.fill('#reset input[name=password]', 'another new password')
  await page.click('#reset button[type=submit]')
  await page.locator('#reset .status[data-kind=error]', { hasText: 'already used' }).waitFor()
  t.pass('a used link says so')
  await page.click('#reset .status a:text("Ask for a new one.")')
  await page.waitForURL(`${base}/forgot-password`)
  t.pass('and links to the page that sends a new one')
  await page.goto(`${base}/verify-email#token=${verifyToken}`)
  await page.click('#confirm')
  await page.locator('#page-status a[href="/login?redirect_to=%2Faccount"]', { hasText: 'Ask for a new one.' }).waitFor()
  t.pass('a used verification link points to where a new one is sent (signed out: the sign-in, then the profile)')
  t.same(errors, [], 'no page errors')
})
