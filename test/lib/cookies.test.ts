import t from 'tap'
import { hasAmbiguousCookies } from '../../src/cookies.js'

t.test('ambiguous: two access or two refresh cookies, counted by exact name', async t => {
  const names = { access: 'at', refresh: 'rt' }
  t.notOk(hasAmbiguousCookies(undefined, names))
  t.notOk(hasAmbiguousCookies('', names))
  t.notOk(hasAmbiguousCookies('at=1; rt=2; x=1; x=2', names), 'one of each; other names repeat freely')
  t.ok(hasAmbiguousCookies('at=1; at=2', names))
  t.ok(hasAmbiguousCookies('rt=1; at=0; rt=2', names))
  t.ok(hasAmbiguousCookies('at=1; rt=2;at=', names), 'an empty value counts')
  t.ok(hasAmbiguousCookies(' at =1;  at=2 ', names), 'spaces around the name')
  t.notOk(hasAmbiguousCookies('at=1; atx=1; xat=2; a_t=2; =at; at; b=at', names), 'prefixes, values and pairs without "=" do not')
})
