import { createSigner, createVerifier } from 'fast-jwt'
import t from 'tap'
import {
  accessExpiry, createTokenSigner, hasCanonicalSignature, hashesEqual, hashToken, isAccessClaims, isRefreshClaims, newSessionId, withAuthDefaults
} from '../../src/lib/tokens.js'
import { respellings } from '../helper.js'

const ACCESS_KEY = 'a'.repeat(40)
const REFRESH_KEY = 'r'.repeat(40)

const ACCESS_TTL = 60

/** As plugins/external/jwt.ts configures them: no expiry of the signers' own. */
function signer () {
  const signAccess = createSigner({ key: ACCESS_KEY, algorithm: 'HS256' })
  const signRefresh = createSigner({ key: REFRESH_KEY, algorithm: 'HS256' })
  return createTokenSigner({ signAccess: c => signAccess(c), signRefresh: c => signRefresh(c), refreshSecret: REFRESH_KEY, accessTtlSeconds: ACCESS_TTL })
}

t.test('hashToken is SHA-256, base64url, and compared in constant time', async t => {
  t.equal(hashToken('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  t.ok(hashesEqual(hashToken('x'), hashToken('x')))
  t.notOk(hashesEqual(hashToken('x'), hashToken('y')))
  t.notOk(hashesEqual('short', 'longer'), 'different lengths are unequal, not an exception')
})

t.test('session ids are 128 random bits', async t => {
  const ids = new Set(Array.from({ length: 1000 }, newSessionId))
  t.equal(ids.size, 1000)
  t.match([...ids][0], /^[0-9a-f]{32}$/)
})

t.test('refresh tokens are deterministic per (session, generation, time) and unique across them', async t => {
  const tokens = signer()
  const issuedAt = new Date('2026-01-01T00:00:00Z')
  const expiresAt = new Date(issuedAt.getTime() + 3600_000)
  const one = tokens.refreshToken({ sub: 'u1', sid: 's1', gen: 1, issuedAt, expiresAt })
  t.equal(tokens.refreshToken({ sub: 'u1', sid: 's1', gen: 1, issuedAt, expiresAt }), one, 're-issue gives the identical token')
  t.not(tokens.refreshToken({ sub: 'u1', sid: 's1', gen: 2, issuedAt, expiresAt }), one, 'next generation differs')
  t.not(tokens.refreshToken({ sub: 'u1', sid: 's2', gen: 1, issuedAt, expiresAt }), one, 'other session differs')

  const claims = createVerifier({ key: REFRESH_KEY, algorithms: ['HS256'], clockTimestamp: issuedAt.getTime() })(one)
  t.ok(isRefreshClaims(claims))
  t.match(claims, { sub: 'u1', sid: 's1', gen: 1, typ: 'refresh', iat: issuedAt.getTime() / 1000, exp: issuedAt.getTime() / 1000 + 3600 })
  t.match(claims.jti, /^[A-Za-z0-9_-]{22}$/)

  const otherSecret = createTokenSigner({ signAccess: () => '', signRefresh: c => JSON.stringify(c), refreshSecret: 'other'.repeat(8), accessTtlSeconds: ACCESS_TTL })
  t.not(JSON.parse(otherSecret.refreshToken({ sub: 'u1', sid: 's1', gen: 1, issuedAt, expiresAt })).jti, claims.jti, 'jti depends on the server secret')
})

t.test('a refresh token expires with its session, never after it', async t => {
  const issuedAt = new Date('2026-01-01T00:00:00.700Z')
  const expiresAt = new Date('2026-01-31T00:00:00.700Z')
  const token = signer().refreshToken({ sub: 'u1', sid: 's1', gen: 1, issuedAt, expiresAt })
  const claims = createVerifier({ key: REFRESH_KEY, algorithms: ['HS256'], clockTimestamp: issuedAt.getTime() })(token)
  t.equal(claims.iat, Date.parse('2026-01-01T00:00:00Z') / 1000, 'iat in whole seconds')
  t.equal(claims.exp, Date.parse('2026-01-31T00:00:00Z') / 1000, "exp is the session's expiry, rounded down")
})

t.test("an access token's exp is accessExpiry() of its issue time", async t => {
  const issuedAt = new Date('2026-01-01T00:00:00.999Z')
  const token = signer().accessToken({ sub: 'u1', sid: 's1', roles: ['user'], ver: 0, amr: ['pwd'], aal: 'aal1', authTime: issuedAt, issuedAt })
  const claims = createVerifier({ key: ACCESS_KEY, algorithms: ['HS256'], clockTimestamp: issuedAt.getTime() })(token)
  t.equal(claims.iat, Date.parse('2026-01-01T00:00:00Z') / 1000)
  t.equal(claims.exp, claims.iat + ACCESS_TTL)
  t.equal(accessExpiry(issuedAt, ACCESS_TTL).getTime(), claims.exp * 1000, 'the stated expiry is the claim')
})

t.test('access tokens carry sub, sid, typ, roles, amr, aal and auth_time', async t => {
  const issuedAt = new Date()
  const authTime = new Date(issuedAt.getTime() - 3600_000)
  const token = signer().accessToken({ sub: 'u1', sid: 's1', roles: ['user'], ver: 2, amr: ['pwd', 'otp'], aal: 'aal2', authTime, issuedAt })
  const claims = createVerifier({ key: ACCESS_KEY, algorithms: ['HS256'] })(token)
  t.ok(isAccessClaims(claims))
  t.match(claims, { sub: 'u1', sid: 's1', typ: 'access', roles: ['user'], ver: 2, amr: ['pwd', 'otp'], aal: 'aal2', auth_time: Math.floor(authTime.getTime() / 1000) })
  t.notOk(isAccessClaims({ ...claims, auth_time: 'yesterday' }), 'a malformed auth_time is refused')
  t.notOk(isAccessClaims({ ...claims, aal: 'aal3' }), 'an unknown level is refused')
  t.notOk(isAccessClaims({ ...claims, amr: 'pwd' }), 'so is a malformed amr')
  const old = { ...claims, amr: undefined, aal: undefined }
  t.ok(isAccessClaims(old), 'a token issued before amr/aal existed is still genuine…')
  t.match(withAuthDefaults(old), { amr: ['pwd'], aal: 'aal1' }, '…and reads as a password login')
  t.equal(withAuthDefaults(claims), claims, 'complete claims are returned as they are')
  t.notOk(isRefreshClaims(claims), 'an access token is not refresh claims')
})

t.test('claim guards reject the other type and malformed payloads', async t => {
  t.notOk(isAccessClaims(null))
  t.notOk(isAccessClaims('x'))
  t.notOk(isAccessClaims({ sub: 'u', sid: 's', typ: 'refresh', roles: [], ver: 0 }))
  t.notOk(isAccessClaims({ sub: 'u', sid: 's', typ: 'access', roles: [1], ver: 0 }))
  t.notOk(isAccessClaims({ sub: 'u', sid: 's', typ: 'access', ver: 0, exp: 1 }), 'roles required')
  t.notOk(isAccessClaims({ sub: 'u', sid: 's', typ: 'access', roles: [], exp: 1 }), 'ver required')
  t.notOk(isAccessClaims({ sub: 'u', sid: 's', typ: 'access', roles: [], ver: 0 }), 'exp required: a token without one would never expire')
  t.ok(isAccessClaims({ sub: 'u', sid: 's', typ: 'access', roles: [], ver: 0, exp: 1 }))
  t.notOk(isRefreshClaims({ sub: 'u', sid: 's', gen: 1.5, typ: 'refresh', jti: 'j', iat: 1, exp: 2 }), 'gen must be an integer')
  t.notOk(isRefreshClaims({ sub: 'u', sid: 's', gen: 1, typ: 'access', jti: 'j', iat: 1, exp: 2 }))
  t.notOk(isRefreshClaims({ sub: 'u', sid: 's', gen: 1, typ: 'refresh', jti: 'j', iat: 1 }), 'exp required for refresh tokens too')
  t.ok(isRefreshClaims({ sub: 'u', sid: 's', gen: 1, typ: 'refresh', jti: 'j', iat: 1, exp: 2 }))
})

t.test('a signature has one spelling: the others, which decode to the same bytes, are not canonical', async t => {
  const hs256 = createSigner({ key: ACCESS_KEY, algorithm: 'HS256' })({ sub: 'x' })
  const variants = respellings(hs256)
  t.equal(variants.length, 3, 'a 32-byte signature leaves 2 unused bits: 4 spellings')
  const verify = createVerifier({ key: ACCESS_KEY, algorithms: ['HS256'] })
  for (const v of variants) t.equal(verify(v).sub, 'x', 'premise: the JWT library accepts every spelling')
  t.ok(hasCanonicalSignature(hs256))
  for (const v of variants) t.notOk(hasCanonicalSignature(v))
  t.notOk(hasCanonicalSignature(`${hs256}=`), 'padding is not base64url')
  t.notOk(hasCanonicalSignature(hs256.slice(0, -1) + '+'), 'nor is a base64 character')
})
