import t from 'tap'
import { decideRefresh, liveSessions, ONE_ACTION_MS, reauthenticate, recentAuthentication, rotate, upsertSession, withoutSession, type SessionRecord } from '../../src/lib/sessions.js'

const now = new Date('2026-01-01T12:00:00Z')
const at = (ms: number) => new Date(now.getTime() + ms)

function session (over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 's1',
    gen: 3,
    tokenHash: 'current',
    prevHash: 'previous',
    rotatedAt: now,
    createdAt: at(-3600_000),
    lastUsedAt: now,
    expiresAt: at(3600_000),
    userAgent: 'ua',
    ip: '127.0.0.1',
    amr: ['pwd'],
    aal: 'aal1',
    ...over
  }
}

t.test('decideRefresh', async t => {
  const s = session()
  const decide = (gen: number, presentedHash: string, when = now, graceMs = 10_000) =>
    decideRefresh({ session: s, gen, presentedHash, now: when, graceMs }).kind

  t.equal(decide(3, 'current'), 'rotate', 'current token rotates')
  t.equal(decide(2, 'previous', at(10_000)), 'grace', 'predecessor at the window edge is in grace')
  t.equal(decide(2, 'previous', at(10_001)), 'reuse', 'predecessor one ms after the window is reuse')
  t.equal(decide(2, 'previous', now, 0), 'reuse', 'grace 0 disables the window')
  t.equal(decide(1, 'grandparent'), 'reuse', 'grandparent is reuse even inside the window')
  t.equal(decide(2, 'not-the-previous'), 'reuse', 'an older generation with another hash is reuse')
  t.equal(decide(3, 'forged'), 'invalid', 'current generation with the wrong hash is invalid')
  t.equal(decide(4, 'future'), 'invalid', 'a future generation is invalid')
  t.equal(decideRefresh({ session: undefined, gen: 3, presentedHash: 'current', now, graceMs: 10_000 }).kind, 'invalid', 'unknown session is invalid')
  t.equal(decide(3, 'current', at(3600_000)), 'invalid', 'expired session is invalid')
  t.equal(decide(2, 'previous', at(3600_000)), 'invalid', 'grace never lets an expired session through')
  t.equal(decideRefresh({ session: session({ prevHash: null, gen: 1 }), gen: 0, presentedHash: 'x', now, graceMs: 10_000 }).kind, 'reuse')
  const reuse = decideRefresh({ session: s, gen: 1, presentedHash: 'grandparent', now, graceMs: 10_000 })
  t.equal(reuse.kind === 'reuse' && reuse.session, s, 'reuse names the session to revoke')
})

t.test('rotate moves the lineage one generation forward', async t => {
  const later = at(5000)
  const next = rotate(session(), later, 60_000)
  t.equal(next.gen, 4)
  t.equal(next.prevHash, 'current', 'the presented token becomes the predecessor')
  t.same(next.rotatedAt, later)
  t.same(next.lastUsedAt, later)
  t.same(next.expiresAt, at(65_000))
  t.notOk('tokenHash' in next, 'the successor has no hash until its token is signed')
})

t.test('upsertSession replaces, prunes expired and evicts least recently used', async t => {
  const a = session({ id: 'a', lastUsedAt: at(-3000) })
  const b = session({ id: 'b', lastUsedAt: at(-2000) })
  const c = session({ id: 'c', lastUsedAt: at(-1000) })
  const expired = session({ id: 'x', expiresAt: at(-1) })
  const fresh = session({ id: 'n', lastUsedAt: now })

  t.same(upsertSession([a, b, c, expired], fresh, now, 10).map(s => s.id).sort(), ['a', 'b', 'c', 'n'], 'expired dropped')
  t.same(upsertSession([a, b, c], fresh, now, 3).map(s => s.id).sort(), ['b', 'c', 'n'], 'oldest evicted at the cap')
  t.same(upsertSession([a, b, c], fresh, now, 1).map(s => s.id), ['n'], 'a cap of one keeps only the new session')
  const replaced = upsertSession([a, b], { ...a, gen: 9 }, now, 10)
  t.equal(replaced.length, 2, 'same id is replaced, not duplicated')
  t.equal(replaced.find(s => s.id === 'a')?.gen, 9)
})

t.test('liveSessions and withoutSession', async t => {
  const a = session({ id: 'a', lastUsedAt: at(-2000) })
  const b = session({ id: 'b', lastUsedAt: at(-1000) })
  const gone = session({ id: 'x', expiresAt: now })
  t.same(liveSessions([a, gone, b], now).map(s => s.id), ['b', 'a'], 'unexpired, most recent first')
  t.same(withoutSession([a, b], 'a')?.map(s => s.id), ['b'])
  t.equal(withoutSession([a, b], 'zzz'), null, 'nothing to remove: null, so nothing is written')
})

t.test('recentAuthentication: within the window; with a zero window, once within a few minutes', async t => {
  const now = new Date('2026-06-01T12:00:00Z')
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000)
  const session = (authTime: Date | undefined, authSpent?: boolean): SessionRecord => ({
    id: 's', gen: 1, tokenHash: 'h', prevHash: null, rotatedAt: ago(1), createdAt: ago(60), lastUsedAt: ago(1), expiresAt: ago(-60), userAgent: '', ip: '', amr: ['pwd'], aal: 'aal1', authTime, authSpent
  })
  const window = 5 * 60_000
  t.equal(recentAuthentication(session(ago(4)), now, window), 'recent')
  t.equal(recentAuthentication(session(ago(6)), now, window), 'stale')
  t.equal(recentAuthentication(session(undefined), now, window), 'stale', 'no authTime: the sign-in an hour ago counts')
  t.equal(recentAuthentication(session(ago(4), true), now, window), 'recent', 'a window does not spend')
  t.equal(recentAuthentication(session(ago(1)), now, 0), 'spend', 'zero window: one action')
  t.equal(recentAuthentication(session(ago(1), true), now, 0), 'stale', 'spent')
  t.equal(recentAuthentication(session(ago(ONE_ACTION_MS / 60_000 + 1)), now, 0), 'stale', 'and not for long')
  const renewed = reauthenticate(session(ago(30), true), now)
  t.same([renewed.authTime, renewed.authSpent], [now, false], 'a re-authentication: now, unspent')
})
