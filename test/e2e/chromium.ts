import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'

/** Debian's Chromium (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Headless, as root, on a machine with no outside network: no background traffic at all. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run']

/** False, or why the browser tests skip. */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium; .ci/run does)`

/** A port nothing listens on now, for a server whose address must be known before it starts. */
export async function freePort (): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise(resolve => probe.close(resolve))
  return port
}

type T = { teardown: (fn: () => unknown) => void }

export interface OpenedPage {
  browser: import('playwright-core').Browser
  page: import('playwright-core').Page
  /** Uncaught page errors. */
  errors: string[]
  /** What the page logged as errors (a failed request logs one too). */
  consoleErrors: string[]
  /** Every response with a 4xx or 5xx status: `status url`. */
  failedRequests: string[]
}

/** Chromium with one page that records its errors and failing requests; closed in teardown. */
export async function openPage (t: T, args: string[] = []): Promise<OpenedPage> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...args] })
  t.teardown(() => browser.close())
  const page = await (await browser.newContext()).newPage()
  const errors: string[] = []
  const consoleErrors: string[] = []
  const failedRequests: string[] = []
  page.on('pageerror', e => errors.push(e.message))
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()) })
  page.on('response', r => { if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`) })
  return { browser, page, errors, consoleErrors, failedRequests }
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: number
}

/**
 * axe-core's violations on the page as it is now. The script goes in through the DevTools
 * protocol, which the page's CSP (script-src 'self') does not govern; the page itself is as served.
 */
export async function axeViolations (page: import('playwright-core').Page): Promise<AxeViolation[]> {
  const { readFile } = await import('node:fs/promises')
  const { createRequire } = await import('node:module')
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  await page.evaluate(source)
  return page.evaluate(async () => {
    const { violations } = await (globalThis as unknown as { axe: { run: (o: object) => Promise<{ violations: Array<{ id: string, impact: string | null, help: string, nodes: unknown[] }> }> } })
      .axe.run({ resultTypes: ['violations'] })
    return violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }))
  })
}

/** The violations axe rates serious or critical. */
export const serious = (violations: AxeViolation[]) => violations.filter(v => v.impact === 'serious' || v.impact === 'critical')

type Page = import('playwright-core').Page
type Locator = import('playwright-core').Locator

/**
 * Presses Tab until `target` has the focus: proves it is reachable by keyboard, after what had
 * the focus before. Fails after `limit` presses.
 */
export async function tabTo (page: Page, target: Locator, limit = 40): Promise<void> {
  for (let presses = 0; ; presses++) {
    if (await target.evaluate(e => e === e.ownerDocument.activeElement)) return
    if (presses === limit) throw new Error(`not reachable with ${limit} Tab presses: ${target.toString()}`)
    await page.keyboard.press('Tab')
  }
}

/** Tabs to `target` and presses Enter: a link followed or a button pressed, by keyboard alone. */
export async function press (page: Page, target: Locator): Promise<void> {
  await tabTo(page, target)
  await page.keyboard.press('Enter')
}

/**
 * Fills the form `form` by keyboard alone, in the order given (which must be the focus order):
 * Tab to each field, replace its text (a `true` ticks a checkbox with Space), then Tab to the
 * submit button and press Enter.
 */
export async function fillByKeyboard (page: Page, form: string, fields: Record<string, string | true>): Promise<void> {
  for (const [name, value] of Object.entries(fields)) {
    await tabTo(page, page.locator(`${form} [name=${name}]`))
    if (value === true) {
      await page.keyboard.press('Space')
      continue
    }
    await page.keyboard.press('Control+A')
    await page.keyboard.type(value)
  }
  await press(page, page.locator(`${form} button[type=submit]`))
}

/**
 * Runs `auth.<name>(...args)` in the page with the browser client the page serves (one client
 * per page); resolves to its result (null for none), or `{ error: code }`.
 */
export function callIn (page: Page, name: string, ...args: unknown[]): Promise<unknown> {
  return page.evaluate(async ([n, a]) => {
    const scope = globalThis as unknown as { testAuth?: Record<string, (...x: unknown[]) => Promise<unknown>> }
    scope.testAuth ??= (await import('/client.js' as string)).createAuthClient()
    return scope.testAuth![n as string]!(...(a as unknown[])).then(r => r ?? null, (e: { code: string }) => ({ error: e.code }))
  }, [name, args] as const)
}
