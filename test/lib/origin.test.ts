import t from 'tap'
import { isSameOriginOrAllowed } from '../../src/lib/origin.js'

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
