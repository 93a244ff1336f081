import { createPublicKey } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { createSigner } from 'fast-jwt'
import { createRemoteJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import t from 'tap'
import { bindSigningKeyModel } from '../../models/signing-key.js'
import { createSecretBox, deriveKey } from '../../src/lib/secret-box.js'
import { createAccessTokens } from '../../src/services/access-tokens.js'
import { ACCESS_SECRET, build, buildWithLogs, jwtClaims, loginBearer, me, newDbName, registerBearer, registerAdmin } from '../helper.js'

const ENCRYPTION_KEY = 'an encryption key of at least thirty-two characters'
const ISSUER = 'http://localhost:3000'
const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString())
const auth = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })

/** A service's view: the app's JWKS over HTTP, as jose fetches it (no caching between calls). */
async function remoteJwks (app: FastifyInstance) {
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  return () => createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`), { cacheMaxAge: 0, cooldownDuration: 0 })
}

/** The app's keys, seen through a second service whose clock the test sets. */
function clockedKeys (app: FastifyInstance, now: () => Date, overrides: Partial<Parameters<typeof createAccessTokens>[0]> = {}) {
  return createAccessTokens({
    model: bindSigningKeyModel(app.mongo),
    box: createSecretBox(deriveKey(ENCRYPTION_KEY, 'signing-key')),
    alg: 'ES256',
    accessTtlSeconds: 900,
    jwksCacheSeconds: 300,
    rotationDays: 90,
    issuer: ISSUER,
    replaceUnreadableKeys: false,
    onReplaced: () => {},
    now,
    ...overrides
  })
}

t.test('the JWKS: next and current keys, public halves only, cacheable', async t => {
  const app = await build(t, { ENCRYPTION_KEY })
  const res = await app.inject('/.well-known/jwks.json')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  const { keys } = res.json()
  t.equal(keys.length, 2, 'current and next')
  for (const key of keys) {
    t.match(key, { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: /^[\w-]{16}$/ })
    t.notOk('d' in key, 'no private part')
  }
  const stored = JSON.stringify(await app.mongo.collection('signing_keys').find().toArray())
  t.notOk(stored.includes('"d":') || stored.includes('PRIVATE KEY'), 'private keys are sealed in the database')
})

t.test('another service verifies the tokens with jose and the JWKS; rotation keeps old tokens valid', async t => {
  const app = await build(t, { ENCRYPTION_KEY })
  const jwks = await remoteJwks(app)
  const user = await registerBearer(app)
  t.match(header(user.accessToken), { alg: 'ES256', typ: 'at+jwt', kid: /./ })
  const { payload } = await jwtVerify(user.accessToken, jwks(), { issuer: ISSUER, typ: 'at+jwt', algorithms: ['ES256'] })
  t.equal(payload.sub, user.user.id, 'verified by the JWKS alone')
  t.match(payload, { typ: 'access', sid: /./, roles: ['user'], amr: ['pwd'], aal: 'aal1' })
})

t.test('rotation by an admin: new tokens carry the next kid, old ones keep verifying, the JWKS grows', async t => {
  const app = await build(t, { ENCRYPTION_KEY })
  const jwks = await remoteJwks(app)
  const rootToken = (await registerAdmin(app, 'root@example.com')).accessToken
  const before = await registerBearer(app)
  // Presented only once its key is retired: this server caches the tokens it verified.
  const unseen = (await loginBearer(app, before.user.email)).json().accessToken
  const [current, next] = [header(before.accessToken).kid, (await app.inject('/.well-known/jwks.json')).json().keys.map((k: { kid: string }) => k.kid)]
  const nextKid = next.find((k: string) => k !== current)

  const rotated = await app.inject({ method: 'POST', url: '/admin/signing-keys/rotate', headers: auth(rootToken) })
  t.equal(rotated.statusCode, 200)
  const states = Object.fromEntries(rotated.json().keys.map((k: { kid: string, state: string }) => [k.kid, k.state]))
  t.match(states, { [current]: 'previous', [nextKid]: 'current' })
  t.equal(Object.values(states).filter(s => s === 'next').length, 1, 'and a new next')
  const after = (await loginBearer(app, before.user.email)).json()
  t.equal(header(after.accessToken).kid, nextKid, 'the next key signs now')
  t.equal((await me(app, before.accessToken)).statusCode, 200, 'a token of the previous key still works here')
  await jwtVerify(before.accessToken, jwks(), { issuer: ISSUER, algorithms: ['ES256'] })
  await jwtVerify(after.accessToken, jwks(), { issuer: ISSUER, algorithms: ['ES256'] })
  t.equal((await app.inject('/.well-known/jwks.json')).json().keys.length, 3, 'next, current and previous')
  t.ok(await app.mongo.collection('audit').countDocuments({ type: 'signing_key.rotated' }), 'audited')

  const list = (await app.inject({ url: '/admin/signing-keys', headers: auth(rootToken) })).json()
  t.equal(list.keys.length, 3)
  t.notOk(JSON.stringify(list).includes('privateSealed') || JSON.stringify(list).includes('"d"'), 'never key material')
  const user = await registerBearer(app)
  t.equal((await app.inject({ url: '/admin/signing-keys', headers: auth(user.accessToken) })).statusCode, 403, 'admins only')

  // Past the horizon (one access TTL plus the JWKS cache time), the previous key retires.
  const later = new Date(Date.now() + (900 + 300 + 1) * 1000)
  await clockedKeys(app, () => later).init()
  await app.accessTokens.reload()
  t.equal((await me(app, unseen)).json().code, 'AUTH_INVALID_TOKEN', 'a token of a retired key fails')
  t.equal((await me(app, after.accessToken)).statusCode, 200)
  t.notOk((await app.inject('/.well-known/jwks.json')).json().keys.some((k: { kid: string }) => k.kid === current), 'and its key is no longer published')
  await t.rejects(jwtVerify(before.accessToken, jwks(), { issuer: ISSUER }), 'nor accepted by other services')
})

t.test('automatic rotation after SIGNING_KEY_ROTATION_DAYS, decided by one compare-and-swap', async t => {
  const app = await build(t, { ENCRYPTION_KEY })
  const kid = header((await registerBearer(app)).accessToken).kid
  const inAYear = new Date(Date.now() + 366 * 86400_000)
  const a = clockedKeys(app, () => inAYear)
  const b = clockedKeys(app, () => inAYear)
  await Promise.all([a.init(), b.init()])
  t.same(await Promise.all([a.rotationDue(), b.rotationDue()]), [true, true])
  const won = await Promise.all([a.rotate(), b.rotate()])
  t.same(won.filter(Boolean).length, 1, 'exactly one instance rotates')
  const states = await app.mongo.collection('signing_keys').find({}, { projection: { kid: 1, state: 1 } }).toArray()
  t.equal(states.filter(k => k.state === 'current').length, 1, 'one current key')
  t.equal(states.find(k => k.kid === kid)?.state, 'previous')
  t.same(await clockedKeys(app, () => inAYear, { rotationDays: 0 }).rotationDue(), false, '0 turns it off')
})

t.test('two instances on one database sign with the same kid; an unknown kid is loaded on demand', async t => {
  const dbName = newDbName()
  const one = (await buildWithLogs(t, { ENCRYPTION_KEY }, { dbName })).app
  const two = (await buildWithLogs(t, { ENCRYPTION_KEY }, { dbName })).app
  const root = (await registerAdmin(one, 'root@example.com')).accessToken
  const user = await registerBearer(two)
  t.equal(header(root).kid, header(user.accessToken).kid, 'the same current key')
  // Two rotations on one instance: the other has never loaded the key that now signs.
  await one.inject({ method: 'POST', url: '/admin/signing-keys/rotate', headers: auth(root) })
  await one.accessTokens.rotate()
  const fresh = (await loginBearer(one, user.user.email)).json().accessToken
  const both = await Promise.all([me(two, fresh), me(two, (await loginBearer(one, user.user.email)).json().accessToken)])
  t.same(both.map(r => r.statusCode), [200, 200], 'the other instance reloads its keys for an unknown kid (once for both)')
  const claims = jwtClaims(fresh)
  const { privateKey } = await generateKeyPair('ES256')
  const stranger = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'no-such-key' }).sign(privateKey)
  t.equal((await me(two, stranger)).json().code, 'AUTH_INVALID_TOKEN', 'a kid nobody has, within the reload cooldown: refused without a reload')
})

t.test('instances booting at once on a new database agree on one key; a due rotation happens at boot', async t => {
  const app = await build(t, { ENCRYPTION_KEY })
  const empty = app.mongo.useDb(newDbName())
  t.teardown(() => empty.dropDatabase())
  const model = bindSigningKeyModel(empty)
  const longAgo = new Date(Date.now() - 100 * 86400_000)
  const [a, b] = [clockedKeys(app, () => longAgo, { model }), clockedKeys(app, () => longAgo, { model })]
  await Promise.all([a.init(), b.init()])
  const claims = jwtClaims((await registerBearer(app)).accessToken)
  t.equal(header(a.sign(claims)).kid, header(b.sign(claims)).kid, 'both sign with the same key')
  t.equal(await model.countDocuments({ state: 'current' }), 1, 'one current key is left')

  // An instance started 100 days later on that database rotates at boot (SIGNING_KEY_ROTATION_DAYS=90).
  const oldKid = header(a.sign(claims)).kid
  const { app: later, logs } = await buildWithLogs(t, { ENCRYPTION_KEY, LOG_LEVEL: 'info' }, { dbName: empty.name })
  t.not(header((await registerBearer(later)).accessToken).kid, oldKid, 'it signs with the next key')
  t.ok(logs.some(l => String(l.msg).startsWith('signing key rotated')), 'and says so')
})

t.test('forged tokens: a public key as an HMAC secret, alg none, another kid, the old secret', async t => {
  const app = await build(t, { ENCRYPTION_KEY })
  const user = await registerBearer(app)
  const claims = jwtClaims(user.accessToken)
  const { kid } = header(user.accessToken)
  const [jwk] = (await app.inject('/.well-known/jwks.json')).json().keys.filter((k: { kid: string }) => k.kid === kid)
  const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString()
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const { privateKey } = await generateKeyPair('ES256')
  const forged: Record<string, string> = {
    'HS256 keyed with the public key': createSigner({ key: publicPem, algorithm: 'HS256', kid, header: { alg: 'HS256', typ: 'at+jwt' } })(claims),
    'alg none': `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`,
    'signed by another key, naming ours': await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey),
    'HS256 with ACCESS_TOKEN_SECRET, never used here': createSigner({ key: ACCESS_SECRET, algorithm: 'HS256' })(claims),
    'without typ at+jwt': app.accessTokens.sign(claims).replace(/^[^.]+/, b64({ ...header(user.accessToken), typ: 'JWT' })),
    'no kid': await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(privateKey),
    'not a JWS': 'garbage'
  }
  for (const [why, token] of Object.entries(forged)) t.equal((await me(app, token)).json().code, 'AUTH_INVALID_TOKEN', why)
  t.equal((await me(app, user.accessToken)).statusCode, 200)
})

t.test('switching from HS256: its tokens verify for one access TTL, then not', async t => {
  const dbName = newDbName()
  const legacy = (await buildWithLogs(t, { ENCRYPTION_KEY, ACCESS_TOKEN_ALG: 'HS256' }, { dbName })).app
  const user = await registerBearer(legacy)
  t.match(header(user.accessToken), { alg: 'HS256' })
  // Presented only after the horizon: this server caches the tokens it verified.
  const unseen = (await loginBearer(legacy, user.user.email)).json().accessToken
  t.same((await legacy.inject('/.well-known/jwks.json')).json(), { keys: [] }, 'HS256 publishes no key')
  t.equal((await me(legacy, user.accessToken)).statusCode, 200)
  t.same([await legacy.accessTokens.rotate(), await legacy.accessTokens.rotationDue()], [false, false], 'and rotates nothing')
  await legacy.close()

  const app = (await buildWithLogs(t, { ENCRYPTION_KEY }, { dbName })).app
  t.equal((await me(app, user.accessToken)).statusCode, 200, 'an HS256 token from before the switch still works')
  t.match(header((await loginBearer(app, user.user.email)).json().accessToken), { alg: 'ES256' }, 'new tokens are ES256')
  await clockedKeys(app, () => new Date(Date.now() + 1201_000)).init()
  await app.accessTokens.reload()
  t.equal((await me(app, unseen)).json().code, 'AUTH_INVALID_TOKEN', 'not after the horizon')
})

t.test('EdDSA, and an audience', async t => {
  const app = await build(t, { ENCRYPTION_KEY, ACCESS_TOKEN_ALG: 'EdDSA', ACCESS_TOKEN_AUDIENCE: 'https://api.example.com' })
  const jwks = await remoteJwks(app)
  const user = await registerBearer(app)
  t.match(header(user.accessToken), { alg: 'EdDSA', typ: 'at+jwt' })
  const { payload } = await jwtVerify(user.accessToken, jwks(), { issuer: ISSUER, audience: 'https://api.example.com', algorithms: ['EdDSA'] })
  t.equal(payload.aud, 'https://api.example.com')
  t.match((await app.inject('/.well-known/jwks.json')).json().keys[0], { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })
  t.equal((await me(app, user.accessToken)).statusCode, 200)
})

t.test('keys sealed under another ENCRYPTION_KEY: replaced in development, a clear boot error otherwise', async t => {
  const dbName = newDbName()
  const first = (await buildWithLogs(t, { ENCRYPTION_KEY }, { dbName })).app
  const kid = header((await registerBearer(first)).accessToken).kid
  await first.close()
  await t.rejects(buildWithLogs(t, { ENCRYPTION_KEY: 'another encryption key, also thirty-two characters' }, { dbName }), /ENCRYPTION_KEY/)
  const { app, logs } = await buildWithLogs(t, {}, { dbName })
  t.not(header((await registerBearer(app)).accessToken).kid, kid, 'a new key signs')
  t.ok(logs.some(l => String(l.msg).includes('sealed under another ENCRYPTION_KEY')), 'with a warning')
})
