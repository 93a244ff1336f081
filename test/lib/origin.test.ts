import t from 'tap'
import { isSameOriginOrAllowed, safeRedirect, withQuery, isSameOriginNavigation } from '../../src/lib/origin.js'

const base = { method: 'POST', selfOrigin: 'https://auth.example.com', allowed: ['https://app.example.com'] }

t.test('origin checks', async t => {
  const check = (over: Partial<Parameters<typeof isSameOriginOrAllowed>[0]>) => isSameOriginOrAllowed({ ...base, ...over })
  t.ok(check({ method: 'GET', origin: 'https://evil.example' }), 'safe methods are never blocked')
  t.ok(check({ origin: 'https://auth.example.com' }), 'same origin')
  t.ok(check({ origin: 'https://auth.example.com', selfOrigin: 'https://auth.example.com:443' }), 'default port normalized')
  t.notOk(check({ origin: 'https://auth.example.com', selfOrigin: 'https://%%%' }), 'a garbage Host header matches nothing')
  t.ok(check({ origin: 'https://app.example.com' }), 'allowed origin')
  t.notOk(check({ origin: 'https://evil.example' }), 'other origin')
  t.notOk(check({ origin: 'https://app.example.com.evil.example' }), 'suffix trick')
  t.notOk(check({ origin: 'http://app.example.com' }), 'scheme matters')
  t.notOk(check({ origin: 'null' }), 'opaque origin (sandboxed iframe, file:)')
  t.notOk(check({ origin: 'garbage' }), 'unparseable origin')
  t.notOk(check({ origin: 'https://evil.example', referer: 'https://app.example.com/page' }), 'Origin wins over Referer')
  t.ok(check({ referer: 'https://app.example.com/login?x=1' }), 'Referer fallback')
  t.notOk(check({ referer: 'https://evil.example/' }), 'foreign Referer')
  t.notOk(check({ referer: 'not a url' }), 'unparseable Referer')
  t.notOk(check({ secFetchSite: 'cross-site' }), 'Fetch Metadata cross-site')
  t.notOk(check({ secFetchSite: 'same-site' }), 'same-site is not same-origin')
  t.ok(check({ secFetchSite: 'same-origin' }))
  t.ok(check({ secFetchSite: 'none' }), 'user-initiated navigation')
  t.ok(check({}), 'non-browser client without any of these headers')
})

t.test('redirect targets: a path here, or a URL on this or an allowed origin', async t => {
  const check = (target: string) => safeRedirect(target, 'https://auth.example.com', ['https://app.example.com'])
  t.equal(check('/'), '/')
  t.equal(check('/account?tab=security#top'), '/account?tab=security#top')
  t.equal(check('https://auth.example.com/x'), 'https://auth.example.com/x')
  t.equal(check('https://app.example.com/after?a=1'), 'https://app.example.com/after?a=1')
  t.equal(check('https://app.example.com'), 'https://app.example.com/', 'normalized')
  for (const bad of ['//evil.example', '/\\evil.example', '/\tx', '/a b', 'https://evil.example/', 'http://app.example.com/',
    'https://app.example.com.evil.example/', 'javascript:alert(1)', 'data:text/html,x', 'account', '', 'https://%%']) {
    t.equal(check(bad), null, JSON.stringify(bad))
  }
})

t.test('query parameters added to a redirect target', async t => {
  t.equal(withQuery('/', { error: 'AUTH_X' }), '/?error=AUTH_X')
  t.equal(withQuery('/a?b=1#frag', { mfa: 'required' }), '/a?b=1&mfa=required#frag')
  t.equal(withQuery('/a?error=old', { error: 'new' }), '/a?error=new', 'replaced, not repeated')
  t.equal(withQuery('https://app.example.com/x', { error: 'E' }), 'https://app.example.com/x?error=E')
  t.equal(withQuery('/x', {}), '/x')
})

t.test('isSameOriginNavigation: a GET that acts for a signed-in browser must come from our pages', async t => {
  const base = { selfOrigin: 'https://auth.example.com', allowed: ['https://app.example.com'] }
  t.ok(isSameOriginNavigation({ ...base, secFetchSite: 'same-origin' }), 'a link on our pages')
  t.ok(isSameOriginNavigation({ ...base, secFetchSite: 'none' }), 'an address the user typed')
  t.notOk(isSameOriginNavigation({ ...base, secFetchSite: 'cross-site' }), 'another site, no Referer')
  t.notOk(isSameOriginNavigation({ ...base, secFetchSite: 'same-site' }), 'a sibling subdomain')
  t.ok(isSameOriginNavigation({ ...base, secFetchSite: 'cross-site', referer: 'https://app.example.com/settings' }), 'an allowed origin')
  t.notOk(isSameOriginNavigation({ ...base, secFetchSite: 'cross-site', referer: 'https://evil.test/' }))
  t.ok(isSameOriginNavigation({ ...base, referer: 'https://auth.example.com/account/security' }), 'no Fetch Metadata: our Referer')
  t.notOk(isSameOriginNavigation(base), 'neither header: refused')
  t.notOk(isSameOriginNavigation({ ...base, referer: 'not a url' }))
})
