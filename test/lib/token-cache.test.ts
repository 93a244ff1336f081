import t from 'tap'
import { createTokenCache } from '../../src/lib/token-cache.js'

t.test('serves only unexpired entries, evicts the oldest beyond the bound', async t => {
  let clock = 1_000_000
  const cache = createTokenCache<{ exp?: number, sub: string }>(2, () => clock)
  cache.set('a', { sub: 'a', exp: 1_010 })
  t.same(cache.get('a'), { sub: 'a', exp: 1_010 })
  t.equal(cache.get('a '), undefined, 'exact string match only')
  clock = 1_010_000
  t.equal(cache.get('a'), undefined, 'expired at exp')
  t.equal(cache.size, 0, 'and dropped')

  cache.set('x', { sub: 'x' })
  t.equal(cache.size, 0, 'claims without exp are never cached')

  cache.set('b', { sub: 'b', exp: 2_000 })
  cache.set('c', { sub: 'c', exp: 2_000 })
  cache.set('d', { sub: 'd', exp: 2_000 })
  t.equal(cache.size, 2, 'bounded')
  t.equal(cache.get('b'), undefined, 'oldest evicted')
  t.ok(cache.get('c') && cache.get('d'))
  cache.set('d', { sub: 'd2', exp: 2_000 })
  t.equal(cache.size, 2, 'replacing an entry evicts nothing')
  t.equal(cache.get('c')?.sub, 'c')
})
