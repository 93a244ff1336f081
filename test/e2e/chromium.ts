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
