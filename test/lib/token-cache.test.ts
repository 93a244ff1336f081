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

t.test('a token that borrows a cached token\'s signature is a miss, and does not evict it', async t => {
  const cache = createTokenCache<{ exp?: number, sub: string }>(10, () => 1_000_000)
  const genuine = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLW9mLWEtZ2VudWluZS10b2tlbi0wMTIzNDU2'
  cache.set(genuine, { sub: 'a', exp: 2_000 })
  const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLW9mLWEtZ2VudWluZS10b2tlbi0wMTIzNDU2'
  t.equal(cache.get(forged), undefined, 'same signature, other payload: miss')
  t.equal(cache.get(genuine.replace('eyJhbGciOiJIUzI1NiJ9', 'eyJhbGciOiJub25lIn0')), undefined, 'other header: miss')
  t.equal(cache.get(genuine)?.sub, 'a', 'the genuine token still hits')
  t.equal(cache.get('no-dots-at-all'), undefined)
  t.equal(cache.get(''), undefined)
})
