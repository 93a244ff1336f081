import t from 'tap'
import { callIn, CHROMIUM, CHROMIUM_ARGS as ARGS, openPage, skipWithoutChromium as skip } from './chromium.js'
import { build, PASSWORD, uniqueEmail } from '../helper.js'

t.test('a browser app on HttpOnly cookies: register, silent refresh, two tabs, logout', { skip, timeout: 90_000 }, async t => {
  const { chromium } = await import('playwright-core')
  const app = await build(t, { ACCESS_TOKEN_EXPIRY: '2s', COOKIE_SECURE: 'false' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  t.teardown(() => browser.close())
  const context = await browser.newContext()
  let refreshes = 0
  context.on('request', r => { if (r.url().endsWith('/auth/refresh')) refreshes++ })
  const expire = () => new Promise(resolve => setTimeout(resolve, 3000))
  const me = (page: import('playwright-core').Page) => callIn(page, 'me').then(r => (r as { email?: string }).email ?? (r as { error: string }).error)

  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', e => errors.push(e.message))
  page.on('console', m => { if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text()) })
  await page.goto(`${base}/signup`)
  const email = uniqueEmail()
  await page.fill('#sign-up input[name=email]', email)
  await page.fill('#sign-up input[name=password]', PASSWORD)
  await page.click('#sign-up button[type=submit]')
  await page.waitForURL(`${base}/account`)
  await page.locator('#email', { hasText: email }).waitFor()
  t.pass('registered and shown')
  t.equal(await page.evaluate('document.cookie'), '', 'document.cookie shows no token (HttpOnly)')
  await expire()
  t.equal(await me(page), email, 'after the access token expired, the next call refreshed transparently')
  t.equal(refreshes, 1, 'exactly one refresh')

  const page2 = await context.newPage()
  await page2.goto(`${base}/account`)
  await page2.locator('#email', { hasText: email }).waitFor()
  await expire()
  const before = refreshes
  const [a, b] = await Promise.all([me(page), me(page2)])
  t.same([a, b], [email, email], 'two tabs refreshing at once both stay logged in')
  t.ok(refreshes - before >= 1 && refreshes - before <= 2, `${refreshes - before} refresh(es) for two tabs`)
  t.same(await Promise.all([me(page), me(page2)]), [email, email], 'and keep working afterwards')

  await page.click('#sign-out')
  await page.waitForURL(`${base}/login`)
  t.equal(await me(page), 'AUTH_NO_TOKEN', 'after logout, me fails')
  t.equal(await me(page2), 'AUTH_NO_TOKEN', 'in the other tab too (shared cookie jar)')
  t.same(errors, [], 'no page errors')
})

t.test('the browser client\'s account calls: profile, devices, export, password, sign out everywhere, deletion', { skip, timeout: 90_000 }, async t => {
  const { chromium } = await import('playwright-core')
  const app = await build(t, { COOKIE_SECURE: 'false' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  t.teardown(() => browser.close())
  const page = await (await browser.newContext()).newPage()
  const errors: string[] = []
  page.on('pageerror', e => errors.push(e.message))
  const failedRequests: string[] = []
  page.on('response', r => { if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`) })
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
  await page.goto(`${base}/login`)
  await page.locator('#sign-in').waitFor()
  t.same(failedRequests, [], 'a signed-out page load makes no failing request')
  t.same(errors, [], 'and logs no error')
  const call = (name: string, ...args: unknown[]) => callIn(page, name, ...args)
  const email = uniqueEmail()
  t.equal(await call('session'), null, 'session(): signed out')
  t.match(await call('register', { email, password: PASSWORD }), { tokenType: 'Cookie' })
  t.match(await call('session'), { email }, 'session(): the user')
  t.match(await call('updateProfile', { name: 'Ada' }), { email, name: 'Ada' }, 'updateProfile')
  t.match(await call('sessions'), [{ current: true, browser: /^Chrome \d+$/, os: 'Linux', device: 'desktop' }], 'sessions name the browser')
  const exported = await call('exportAccount') as { user: { email: string, name: string }, sessions: unknown[] }
  t.match(exported, { user: { email, name: 'Ada', hasPassword: true }, sessions: [{ current: true }] }, 'exportAccount')
  t.equal(await call('changePassword', { currentPassword: PASSWORD, newPassword: 'a brand new password' }), null, 'changePassword')
  t.equal(await call('logoutAll'), null, 'logoutAll')
  t.same(await call('me'), { error: 'AUTH_NO_TOKEN' }, 'signed out everywhere')
  t.match(await call('login', { email, password: 'a brand new password' }), { tokenType: 'Cookie' }, 'the new password signs in')
  t.same(await call('deleteAccount', { password: 'wrong password' }), { error: 'AUTH_WRONG_PASSWORD' })
  t.equal(await call('deleteAccount', { password: 'a brand new password' }), null, 'deleteAccount')
  t.same(await call('me'), { error: 'AUTH_NO_TOKEN' }, 'the cookies are gone')
  t.same(await call('login', { email, password: 'a brand new password' }), { error: 'AUTH_INVALID_CREDENTIALS' }, 'and the account')
  t.same(errors.filter(e => !/status of 40[01]/.test(e)), [], 'no page errors but the refused calls above')
})

t.test('/login?redirect_to: back where the app asked, signed in; only this server or an allowed origin', { skip, timeout: 90_000 }, async t => {
  const app = await build(t, { COOKIE_SECURE: 'false', ALLOWED_ORIGINS: 'https://app.example.com' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const target of ['https://evil.example/x', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 'https://app.example.com.evil.example/']) {
    const res = await app.inject({ url: `/login?redirect_to=${encodeURIComponent(target)}` })
    t.same([res.statusCode, res.headers.location], [302, '/login'], `${target}: dropped`)
  }
  const twice = await app.inject({ url: '/login?redirect_to=/a&redirect_to=/b' })
  t.same([twice.statusCode, twice.headers.location], [302, '/login'], 'two targets: dropped')
  for (const target of ['/docs/', 'https://app.example.com/home?x=1']) {
    const res = await app.inject({ url: `/login?redirect_to=${encodeURIComponent(target)}` })
    t.equal(res.statusCode, 200, `${target}: the sign-in page`)
    t.match(res.headers['content-type'], /^text\/html/)
  }

  const { page, errors } = await openPage(t)
  await page.goto(`${base}/login?redirect_to=${encodeURIComponent('/health/live')}`)
  await page.click('text=Create an account')
  await page.waitForURL(`${base}/signup?redirect_to=${encodeURIComponent('/health/live')}`)
  await page.fill('#sign-up input[name=email]', uniqueEmail())
  await page.fill('#sign-up input[name=password]', PASSWORD)
  await page.click('#sign-up button[type=submit]')
  await page.waitForURL(`${base}/health/live`)
  t.pass('registered (redirect_to carried to the sign-up page), and sent on to redirect_to')
  await page.goto(`${base}/login?redirect_to=${encodeURIComponent('/docs/')}`)
  await page.waitForURL(`${base}/docs/`)
  t.pass('already signed in: sent on at once')
  await page.goto(`${base}/account?redirect_to=${encodeURIComponent('/health/live')}`)
  await page.locator('#email').waitFor()
  t.equal(new URL(page.url()).pathname, '/account', 'an account page ignores redirect_to: it is for the sign-in pages')
  t.same(errors, [], 'no page errors')
})
