import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { axeViolations, openPage, serious, skipWithoutChromium as skip } from './chromium.js'
import { build, PASSWORD, uniqueEmail } from '../helper.js'

const WIDTHS = [1280, 390]

t.test('every page: no serious or critical axe violation, no error, no failing request, at 1280 and 390 px', { skip, timeout: 90_000 }, async t => {
  const app = await build(t, { COOKIE_SECURE: 'false' })
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
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 })
      await page.goto(`${base}${path}`)
      await ready()
      const violations = await axeViolations(page)
      t.same(serious(violations), [], `${name} at ${width} px`)
      report.push(`${name}@${width}: ${violations.length} (${violations.map(v => `${v.id}:${v.impact}`).join(', ') || 'none'})`)
      await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true })
    }
  }

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
    report.push(`signed-in@${width}: ${violations.length} (${violations.map(v => `${v.id}:${v.impact}`).join(', ') || 'none'})`)
    await page.screenshot({ path: join(shots, `signed-in-${width}.png`), fullPage: true })
  }
  t.comment(`axe violations per page: ${report.join('; ')}`)
  t.same([...errors, ...consoleErrors], [], 'no page threw or logged an error')
  t.same(failedRequests, [], 'and none made a failing request')
})
