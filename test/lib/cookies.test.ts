import t from 'tap'
import { cookieCount, hasAmbiguousCookies } from '../../src/cookies.js'

t.test('cookieCount counts the pairs of one name, nothing else', async t => {
  t.equal(cookieCount(undefined, 'a'), 0)
  t.equal(cookieCount('', 'a'), 0)
  t.equal(cookieCount('a=1', 'a'), 1)
  t.equal(cookieCount('a=1; a=2;a=', 'a'), 3, 'empty values count')
  t.equal(cookieCount('ab=1; b=a; a_x=2; =a; a', 'a'), 0, 'prefixes, values and pairs without "=" do not')
  t.equal(cookieCount(' a =1;  a=2 ', 'a'), 2, 'spaces around the name')
})

t.test('ambiguous: two access or two refresh cookies', async t => {
  const names = { access: 'at', refresh: 'rt' }
  t.notOk(hasAmbiguousCookies('at=1; rt=2; x=1; x=2', names))
  t.ok(hasAmbiguousCookies('at=1; at=2', names))
  t.ok(hasAmbiguousCookies('rt=1; at=0; rt=2', names))
})
