import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { generate } from 'otplib'
import t from 'tap'
import { axeViolations, openPage, serious, skipWithoutChromium as skip } from './chromium.js'
import { serveWithProvider } from './provider.js'
import { PASSWORD, uniqueEmail } from '../helper.js'

const WIDTHS = [1280, 390]
const SCHEMES = ['light', 'dark'] as const

t.test('every page: no serious or critical axe violation, no error, no failing request, at 1280 and 390 px, light and dark', { skip, timeout: 120_000 }, async t => {
  // A provider, so the sign-in and security pages show their provider buttons too.
  const { app, base } = await serveWithProvider(t, { UI_ACCENT_COLOR: '#7a1fa2' })
  const { page, errors, consoleErrors, failedRequests } = await openPage(t)
  const shots = join(process.cwd(), '.tap', 'e2e', 'pages')
  mkdirSync(shots, { recursive: true })

  await page.goto(`${base}/login`)
  await page.locator('#sign-in').waitFor()
  await page.evaluate("document.body.insertAdjacentHTML('beforeend', '<button id=planted></button>')")
  t.match(serious(await axeViolations(page)), [{ id: 'button-name' }], 'premise: the check finds a planted violation')

  const report: string[] = []
  /** Checks the page as it is now at each width and scheme, with a screenshot of each. */
  async function check (name: string, open: () => Promise<unknown>) {
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme })
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 })
        await open()
        const violations = await axeViolations(page)
        t.same(serious(violations), [], `${name} at ${width} px, ${colorScheme}`)
        report.push(`${name} ${width}/${colorScheme}: ${violations.length}`)
        await page.screenshot({ path: join(shots, `${name}-${width}-${colorScheme}.png`), fullPage: true })
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
        t.equal(overflow, 0, `${name} at ${width} px: nothing wider than the screen`)
      }
    }
  }
  /** Loads `path` and waits for `selector` (what the page's script fills in last). */
  const visit = (path: string, selector: string) => async () => {
    await page.goto(`${base}${path}`)
    await page.locator(selector).first().waitFor()
  }

  await check('sign-in', visit('/login', 'text=Continue with Test IdP'))
  await check('sign-in-error', async () => {
    await visit('/login', 'text=Continue with Test IdP')()
    await page.fill('#sign-in input[name=email]', 'nobody@example.com')
    await page.fill('#sign-in input[name=password]', 'not the password')
    await page.click('#sign-in button[type=submit]')
    await page.locator('#sign-in .status[data-kind=error]').waitFor()
  })
  await check('sign-up', visit('/signup', '#sign-up'))
  await check('forgot-password', visit('/forgot-password', '#forgot'))
  await check('reset-password', visit('/reset-password#token=abc', '#reset:not([hidden])'))
  await check('verify-email', visit('/verify-email#token=abc', '#confirm:not([hidden])'))
  await check('second-factor', visit('/login/second-factor', '#second-step'))

  await page.goto(`${base}/signup`)
  await page.fill('#sign-up input[name=name]', 'Ada Lovelace-Byron, Countess of a rather long name')
  const email = `a.very.long.address.that.must.wrap.${uniqueEmail()}`
  await page.fill('#sign-up input[name=email]', email)
  await page.fill('#sign-up input[name=password]', PASSWORD)
  await page.click('#sign-up button[type=submit]')
  await page.waitForURL(`${base}/account`)
  // The address as its link would verify it (account-ui.test.ts follows the link): only a verified account adds a way to sign in.
  const users = app.mongo.collection('users')
  await users.updateOne({ email }, { $set: { emailVerified: true }, $inc: { rev: 1 } })
  await check('profile', visit('/account', '#email:not(:empty)'))
  await check('security', visit('/account/security', '#mfa-state:not(:empty)'))
  // A session that signed in a while ago confirms it is the user before adding a way to sign in.
  await check('security-confirm', async () => {
    await users.updateOne({ email }, { $set: { 'sessions.0.authTime': new Date(Date.now() - 3600_000) }, $inc: { rev: 1 } })
    await visit('/account/security', '#mfa-state:not(:empty)')()
    await page.click('#enrol button[type=submit]')
    await page.locator('#reauth input[name=password]').waitFor()
  })
  await page.fill('#reauth input[name=password]', PASSWORD)
  await page.click('#reauth-confirm')
  await page.locator('#activate').waitFor()

  // The authenticator set-up, and the recovery codes it ends with.
  await page.goto(`${base}/account/security`)
  await page.click('#enrol button[type=submit]')
  await page.locator('#activate').waitFor()
  await check('security-totp-setup', () => page.locator('#qr').waitFor())
  await page.setViewportSize({ width: 1280, height: 900 })
  const secret = (await page.textContent('#totp-secret code'))!.replace(/\s/g, '')
  await page.fill('#activate input[name=code]', await generate({ secret }))
  await page.click('#activate button[type=submit]')
  await page.locator('#recovery-codes li').first().waitFor()
  await check('security-recovery-codes', () => page.locator('#recovery-codes li').first().waitFor())
  await check('devices', visit('/account/devices', '#sessions li'))
  await check('data', visit('/account/data', '#delete'))

  // The accent colour is the buttons', and at 390 px the navigation sits under the app's name.
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 390, height: 900 })
  await page.goto(`${base}/account/data`)
  await page.locator('#export').waitFor()
  t.equal(await page.locator('#export button').evaluate(b => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor), 'rgb(122, 31, 162)', 'buttons wear UI_ACCENT_COLOR')
  const [brand, nav] = await Promise.all(['.brand', '#nav'].map(s => page.locator(s).boundingBox()))
  t.ok(brand && nav && nav.y >= brand.y + brand.height, 'at 390 px the navigation wraps under the name')
  const rows = new Map<number, number>()
  for (const box of await page.locator('#nav li').evaluateAll(items => items.map(i => Math.round(i.getBoundingClientRect().top)))) rows.set(box, (rows.get(box) ?? 0) + 1)
  t.ok([...rows.values()].every(n => n >= 2), `at 390 px no navigation item is alone on its line (items per line: ${[...rows.values()].join(', ')})`)

  t.comment(`axe violations (any impact) per page: ${report.join('; ')}`)
  t.same([...errors, ...consoleErrors.filter(e => !/status of 40[13]/.test(e))], [], 'no page threw or logged an error, but the refused sign-in and the set-ups that asked to confirm')
  t.same(failedRequests.filter(r => !r.endsWith('/auth/login') && !r.endsWith('/auth/mfa/totp')), [], 'no failing request, but those')
})
