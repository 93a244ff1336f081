import { readFile } from 'node:fs/promises'
import { generate } from 'otplib'
import t from 'tap'
import { fillByKeyboard, openPage, press, skipWithoutChromium as skip, tabTo } from './chromium.js'
import { build, PASSWORD, uniqueEmail } from '../helper.js'
import { startSmtpSink, tokenIn } from '../smtp.js'

const code = (secret: string, offset = 0) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + offset) * 30 })
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

t.test('the account UI by keyboard alone: sign up, confirm, profile, devices, security, two-step sign-in, export, deletion', { skip, timeout: 120_000 }, async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, COOKIE_SECURE: 'false', APP_NAME: 'Acme <Accounts>' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { page, errors, consoleErrors, failedRequests } = await openPage(t)
  const status = (selector: string, text: string | RegExp) => page.locator(selector, { hasText: text }).waitFor()
  const email = uniqueEmail()

  // Signed out, an account page sends the visitor to sign in, and back afterwards.
  await page.goto(`${base}/account`)
  await page.waitForURL(`${base}/login?redirect_to=%2Faccount`)
  await page.locator('#sign-in').waitFor()
  t.equal(await page.title(), 'Sign in · Acme <Accounts>', 'the app\'s name, as text')
  t.same(failedRequests, [], 'the signed-out load made no failing request')
  await press(page, page.getByRole('link', { name: 'Create an account' }))
  await page.waitForURL(`${base}/signup?redirect_to=%2Faccount`)
  await fillByKeyboard(page, '#sign-up', { name: 'Ada', email, password: PASSWORD })
  await page.waitForURL(`${base}/account`)
  await status('#email', email)
  t.equal(await page.textContent('#verified'), 'Not verified')
  t.equal(await page.textContent('#name'), 'Ada')
  t.equal(await page.evaluate('document.cookie'), '', 'the tokens are in HttpOnly cookies only')

  // The confirmation link from the mail.
  await page.goto(`${base}/verify-email#token=${tokenIn(await smtp.mailTo(email, /confirm your email address/), 'verify-email')}`)
  await press(page, page.locator('#confirm'))
  await status('#page-status[data-kind=success]', `${email} is confirmed`)
  await page.goto(`${base}/account`)
  await status('#verified', 'Verified')
  t.equal(await page.isVisible('.needs-password'), false, 'a password account gets the forms, not the note')

  // Profile: the name, then the address (confirmed from the new one's mail).
  await fillByKeyboard(page, '#rename', { name: 'Ada Lovelace' })
  await status('#rename .status[data-kind=success]', 'Saved')
  t.equal(await page.textContent('#name'), 'Ada Lovelace')
  const newEmail = uniqueEmail()
  await fillByKeyboard(page, '#change-email', { newEmail, password: 'wrong password' })
  await status('#change-email .status[data-kind=error]', 'Your current password is wrong.')
  t.equal(page.url(), `${base}/account`, 'a wrong password does not sign the user out')
  t.equal(await page.inputValue('#change-email input[name=password]'), '', 'the password left the form')
  await fillByKeyboard(page, '#change-email', { newEmail, password: PASSWORD })
  await status('#change-email .status[data-kind=success]', `Follow the link we mailed to ${newEmail}`)
  await page.goto(`${base}/verify-email#token=${tokenIn(await smtp.mailTo(newEmail, /confirm your new email address/), 'verify-email')}`)
  await press(page, page.locator('#confirm'))
  await status('#page-status', `${newEmail} is confirmed`)

  // Devices: this one, and a phone signed in elsewhere; sign the phone out, then everything.
  const phone = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'user-agent': IPHONE, 'x-auth-mode': 'bearer' }, payload: { email: newEmail, password: PASSWORD } })
  t.equal(phone.statusCode, 200, 'premise: a second session')
  await page.goto(`${base}/account/devices`)
  await status('#sessions li', /Safari 17 on iOS 17\.5/)
  t.match(await page.textContent('#sessions'), /Chrome \d+ on Linux This device/, 'this device, by browser and system')
  await press(page, page.getByRole('button', { name: /^Sign out Safari 17 on iOS 17\.5/ }))
  await status('#page-status[data-kind=success]', 'is signed out')
  t.equal(await page.locator('#sessions li').count(), 1, 'the phone is gone from the list')
  t.equal((await app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer' }, payload: { refreshToken: phone.json().refreshToken } })).statusCode, 401, 'and signed out')
  await fillByKeyboard(page, '#sign-out-everywhere', {})
  await page.waitForURL(`${base}/login`)
  await status('#page-status[data-kind=success]', 'You are signed out on every device.')
  await fillByKeyboard(page, '#sign-in', { email: newEmail, password: PASSWORD })
  await page.waitForURL(`${base}/account`)

  // Security: the password (a wrong current one says so and signs nobody out), then two-step sign-in.
  await press(page, page.getByRole('link', { name: 'Security' }))
  await page.waitForURL(`${base}/account/security`)
  await page.locator('nav a[aria-current=page]', { hasText: 'Security' }).waitFor()
  t.equal(await page.locator('nav a[aria-current]').count(), 1, 'the nav marks where we are, and only that')
  await fillByKeyboard(page, '#change-password', { currentPassword: 'wrong password', newPassword: 'another good password' })
  await status('#change-password .status[data-kind=error]', 'Your current password is wrong.')
  t.equal(page.url(), `${base}/account/security`)
  const NEW_PASSWORD = 'a brand new password'
  await fillByKeyboard(page, '#change-password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
  await status('#change-password .status[data-kind=success]', 'Your password is changed')
  t.same(await Promise.all(['currentPassword', 'newPassword'].map(n => page.inputValue(`#change-password input[name=${n}]`))), ['', ''], 'both passwords left the form')

  await status('#mfa-state', 'Off')
  await fillByKeyboard(page, '#enrol', {})
  await page.locator('#activate').waitFor()
  t.ok(await page.evaluate('document.getElementById("qr").naturalWidth > 0'), 'the QR code renders (a data: URL, allowed by the CSP)')
  const blocks = await page.locator('#totp-secret code span').allTextContents()
  t.ok(blocks.length >= 8 && blocks.slice(0, -1).every(b => b.length === 4), `the key in blocks of four: ${blocks.join(' ')}`)
  t.ok(await page.locator('#totp-secret code span').evaluateAll(spans => spans.every(s => s.ownerDocument.defaultView!.getComputedStyle(s).whiteSpace === 'nowrap')), 'a block never breaks')
  const secret = blocks.join('')
  const [keyFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download key' }).click()])
  t.equal((await readFile((await keyFile.path())!, 'utf8')).trim(), secret, 'the key downloads as a file')
  t.equal(keyFile.suggestedFilename(), 'authenticator-key.txt')
  await fillByKeyboard(page, '#activate', { code: await code(secret) })
  await status('#mfa-state', '10 recovery codes left')
  const firstCodes = await page.locator('#recovery-codes li').allTextContents()
  t.equal(firstCodes.length, 10, 'ten recovery codes shown')
  const [codesFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download codes' }).click()])
  t.same((await readFile((await codesFile.path())!, 'utf8')).trim().split('\n'), firstCodes, 'the codes download as a file, one a line')
  t.equal(await page.getByRole('button', { name: 'Copy codes' }).count(), 1, 'and can be copied')
  t.equal(await page.textContent('#totp-secret'), '', 'the key left the page')
  await fillByKeyboard(page, '#new-codes', { code: await code(secret, 1) })
  await status('#new-codes .status[data-kind=success]', 'the old ones no longer work')
  const codes = await page.locator('#recovery-codes li').allTextContents()
  t.equal(codes.length, 10)
  t.notOk(codes.some(c => firstCodes.includes(c)), 'all of them new')

  // Sign out, and in again in two steps: the second with a recovery code.
  await press(page, page.getByRole('button', { name: 'Sign out' }))
  await page.waitForURL(`${base}/login`)
  await status('#page-status[data-kind=success]', 'You are signed out.')
  await fillByKeyboard(page, '#sign-in', { email: newEmail, password: NEW_PASSWORD })
  await page.waitForURL(`${base}/login/second-factor`)
  t.equal(await page.evaluate('document.cookie'), '', 'no session before the second step')
  await fillByKeyboard(page, '#second-step', { code: 'not-a-code' })
  await status('#second-step .status[data-kind=error]', 'That code is wrong')
  await fillByKeyboard(page, '#second-step', { code: codes[0]! })
  await page.waitForURL(`${base}/account`)
  await page.goto(`${base}/account/security`)
  await status('#mfa-state', '9 recovery codes left')
  await fillByKeyboard(page, '#disable-mfa', { code: codes[1]! })
  await status('#mfa-state', 'Off')

  // Your data: the download, then the deletion (a wrong password first).
  await page.goto(`${base}/account/data`)
  await page.locator('#export').waitFor()
  const [download] = await Promise.all([page.waitForEvent('download'), fillByKeyboard(page, '#export', {})])
  t.equal(download.suggestedFilename(), 'account-export.json')
  const exported = JSON.parse(await readFile((await download.path())!, 'utf8'))
  t.match(exported, { user: { email: newEmail, name: 'Ada Lovelace', emailVerified: true, hasPassword: true }, sessions: [{ current: true }] }, 'the export is the account')
  await status('#export .status[data-kind=success]', 'downloaded')
  await fillByKeyboard(page, '#delete', { password: 'wrong password', confirm: true })
  await status('#delete .status[data-kind=error]', 'Your current password is wrong.')
  t.equal(await app.mongo.collection('users').countDocuments({ email: newEmail }), 1, 'nothing deleted')
  await fillByKeyboard(page, '#delete', { password: NEW_PASSWORD })
  await page.waitForURL(`${base}/login`)
  await status('#page-status[data-kind=success]', 'Your account and its data are deleted.')
  t.equal(await app.mongo.collection('users').countDocuments({ email: newEmail }), 0, 'the account is gone')

  t.same([...errors, ...consoleErrors.filter(e => !/status of 401/.test(e))], [], 'no page error; the console logged only the refused requests above')
})

t.test('forgot password by keyboard: the mailed link, a new password, and the links between the signed-out pages', { skip, timeout: 90_000 }, async t => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const app = await build(t, { SMTP_URL: smtp.url, COOKIE_SECURE: 'false', REQUIRE_EMAIL_VERIFICATION: true })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { page, errors, consoleErrors } = await openPage(t)
  const email = uniqueEmail()

  // With REQUIRE_EMAIL_VERIFICATION, signing up starts no session: the page says where the link went.
  await page.goto(`${base}/signup`)
  await fillByKeyboard(page, '#sign-up', { email, password: PASSWORD })
  await page.locator('#sign-up .status[data-kind=success]', { hasText: `we mailed a link to ${email}` }).waitFor()
  t.equal(await page.isVisible('#sign-up input[name=email]'), false, 'the form made way for the message')
  await page.goto(`${base}/verify-email#token=${tokenIn(await smtp.mailTo(email, /confirm your email address/), 'verify-email')}`)
  await press(page, page.locator('#confirm'))
  await page.locator('#page-status[data-kind=success]', { hasText: `${email} is confirmed` }).waitFor()

  await page.goto(`${base}/login`)
  await page.locator('#sign-in').waitFor()
  await press(page, page.getByRole('link', { name: 'Forgot your password?' }))
  await page.waitForURL(`${base}/forgot-password`)
  await fillByKeyboard(page, '#forgot', { email })
  await page.locator('#forgot .status[data-kind=success]', { hasText: 'is on its way' }).waitFor()
  await page.goto(`${base}/reset-password#token=${tokenIn(await smtp.mailTo(email, /reset your password/), 'reset-password')}`)
  await page.locator('#reset').waitFor()
  t.equal(new URL(page.url()).hash, '', 'the token left the address bar')
  await fillByKeyboard(page, '#reset', { password: 'chosen on the reset page' })
  await page.locator('#page-status[data-kind=success]', { hasText: 'Your password is changed' }).waitFor()
  await press(page, page.getByRole('link', { name: 'Back to sign in' }))
  await page.waitForURL(`${base}/login`)
  await fillByKeyboard(page, '#sign-in', { email, password: PASSWORD })
  await page.locator('#sign-in .status[data-kind=error]', { hasText: 'Wrong email or password.' }).waitFor()
  t.equal(await page.inputValue('#sign-in input[name=email]'), email, 'the email stays, the password does not')
  t.equal(await page.inputValue('#sign-in input[name=password]'), '')
  await fillByKeyboard(page, '#sign-in', { email, password: 'chosen on the reset page' })
  await page.waitForURL(`${base}/account`)
  t.pass('the new password signs in')

  // What a provider's return leaves in the address: a code becomes its sentence, and leaves the
  // address bar (redirect_to stays); a code the table does not know is never shown as it is.
  await page.click('#sign-out')
  await page.waitForURL(`${base}/login`)
  await page.goto(`${base}/login?error=AUTH_OIDC_STATE_INVALID&redirect_to=%2Fdocs%2F`)
  await page.locator('#page-status[data-kind=error]', { hasText: 'This sign-in expired or started in another browser.' }).waitFor()
  await page.waitForURL(`${base}/login?redirect_to=%2Fdocs%2F`)
  await page.goto(`${base}/login?error=${encodeURIComponent('<img src=x>')}`)
  await page.locator('#page-status[data-kind=error]', { hasText: 'Something went wrong. Try again in a moment.' }).waitFor()
  t.notOk((await page.content()).includes('<img src=x>'), 'the unknown code is not on the page')

  // The skip link is the first stop, and shows the focus.
  await page.goto(`${base}/login`)
  await page.locator('#sign-in').waitFor()
  await tabTo(page, page.getByRole('link', { name: 'Skip to content' }), 1)
  t.pass('Tab first reaches "Skip to content"')
  const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')
  t.equal(outline, 'solid', 'and shows where the focus is')
  t.same([...errors, ...consoleErrors.filter(e => !/status of 401/.test(e))], [], 'no page error')
})

t.test('a session signed out from another device: the next action asks to sign in again, then comes back', { skip, timeout: 90_000 }, async t => {
  const app = await build(t, { COOKIE_SECURE: 'false' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { page, errors } = await openPage(t)
  const email = uniqueEmail()
  await page.goto(`${base}/signup`)
  await fillByKeyboard(page, '#sign-up', { email, password: PASSWORD })
  await page.waitForURL(`${base}/account`)

  // Another device signs this browser out.
  const other = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'x-auth-mode': 'bearer' }, payload: { email, password: PASSWORD } })
  const authorization = `Bearer ${other.json().accessToken}`
  const { sessions } = (await app.inject({ url: '/auth/sessions', headers: { authorization } })).json() as { sessions: Array<{ id: string, current: boolean }> }
  const browserSession = sessions.find(s => !s.current)!
  t.equal((await app.inject({ method: 'DELETE', url: `/auth/sessions/${browserSession.id}`, headers: { authorization } })).statusCode, 204)

  await fillByKeyboard(page, '#rename', { name: 'Ada' })
  await page.waitForURL(`${base}/login?redirect_to=%2Faccount`)
  await page.locator('#page-status', { hasText: 'Your session ended. Please sign in again.' }).waitFor()
  await fillByKeyboard(page, '#sign-in', { email, password: PASSWORD })
  await page.waitForURL(`${base}/account`)
  t.pass('signed in again, and back on the page')
  t.same(errors, [], 'no uncaught error')
})
