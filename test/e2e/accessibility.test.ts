import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { axeViolations, openPage, serious, skipWithoutChromium as skip } from './chromium.js'
import { build, PASSWORD, uniqueEmail } from '../helper.js'

const WIDTHS = [1280, 390]
const SCHEMES = ['light', 'dark'] as const

t.test('every page: no serious or critical axe violation, no error, no failing request, at 1280 and 390 px', { skip, timeout: 90_000 }, async t => {
  const app = await build(t, { COOKIE_SECURE: 'false', UI_ACCENT_COLOR: '#7a1fa2' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { page, errors, consoleErrors, failedRequests } = await openPage(t)
  const shots = join(process.cwd(), '.tap', 'e2e', 'pages')
  mkdirSync(shots, { recursive: true })

  await page.goto(`${base}/`)
  await page.waitForSelector('#signed-out:not([hidden])')
  await page.evaluate("document.body.insertAdjacentHTML('beforeend', '<button id=planted></button>')")
  t.match(serious(await axeViolations(page)), [{ id: 'button-name' }], 'premise: the check finds a planted violation')
  await page.evaluate("document.getElementById('planted').remove()")

  const pages: Array<[string, string, () => Promise<void>]> = [
    ['signed-out', '/', () => page.waitForSelector('#signed-out:not([hidden])').then(() => {})],
    ['verify-email', '/verify-email#token=abc', () => page.waitForSelector('#confirm:not([hidden])').then(() => {})],
    ['reset-password', '/reset-password#token=abc', () => page.waitForSelector('#reset').then(() => {})]
  ]
  const report: string[] = []
  for (const [name, path, ready] of pages) {
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme })
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 })
        await page.goto(`${base}${path}`)
        await ready()
        const violations = await axeViolations(page)
        t.same(serious(violations), [], `${name} at ${width} px, ${colorScheme}`)
        report.push(`${name}@${width}/${colorScheme}: ${violations.length}`)
        await page.screenshot({ path: join(shots, `${name}-${width}-${colorScheme}.png`), fullPage: true })
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.goto(`${base}/`)
  t.equal(await page.locator('#register button[type=submit]').evaluate(b => (globalThis as unknown as { getComputedStyle: (e: unknown) => { backgroundColor: string } }).getComputedStyle(b).backgroundColor), 'rgb(122, 31, 162)', 'buttons wear UI_ACCENT_COLOR')
  await page.setViewportSize({ width: 390, height: 900 })
  const [register, login] = await Promise.all(['#register', '#login'].map(f => page.locator(f).boundingBox()))
  t.ok(register && login && login.y >= register.y + register.height, 'at 390 px the forms stack instead of sitting side by side')

  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(`${base}/`)
  await page.fill('#register input[name=email]', uniqueEmail())
  await page.fill('#register input[name=password]', PASSWORD)
  await page.click('#register button[type=submit]')
  await page.waitForSelector('#signed-in:not([hidden])')
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await page.locator('#sessions li', { hasText: 'this device' }).waitFor()
    const violations = await axeViolations(page)
    t.same(serious(violations), [], `signed-in at ${width} px`)
    report.push(`signed-in@${width}: ${violations.length}`)
    await page.screenshot({ path: join(shots, `signed-in-${width}.png`), fullPage: true })
  }
  t.comment(`axe violations per page: ${report.join('; ')}`)
  t.same([...errors, ...consoleErrors], [], 'no page threw or logged an error')
  t.same(failedRequests, [], 'and none made a failing request')
})
