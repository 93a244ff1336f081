import t from 'tap'
import { envPrefix, issuerProblem, parseOidcProviders } from '../../src/lib/oidc-providers.js'
import { deriveChecks, newTransactionSecret } from '../../src/lib/oidc-transaction.js'
import { loadConfig } from '../../src/config.js'
import { logFormat, redactUrl } from '../../src/server-options.js'

const acme = { OIDC_PROVIDERS: 'acme', OIDC_ACME_ISSUER: 'https://id.acme.test', OIDC_ACME_CLIENT_ID: 'cid', OIDC_ACME_CLIENT_SECRET: 'secret' }

t.test('providers from the environment', async t => {
  t.same(parseOidcProviders({}), [])
  t.same(parseOidcProviders({ OIDC_PROVIDERS: ' , ' }), [])
  t.same(parseOidcProviders(acme), [{ id: 'acme', name: 'acme', issuer: 'https://id.acme.test', clientId: 'cid', clientSecret: 'secret', scopes: 'openid email profile', audiences: [] }])
  const google = parseOidcProviders({ OIDC_PROVIDERS: 'google', OIDC_GOOGLE_CLIENT_ID: 'g', OIDC_GOOGLE_CLIENT_SECRET: 's', OIDC_GOOGLE_AUDIENCES: 'android, ios' })
  t.match(google, [{ id: 'google', name: 'Google', issuer: 'https://accounts.google.com', audiences: ['android', 'ios'] }], 'Google needs no issuer')
  const custom = parseOidcProviders({ ...acme, OIDC_PROVIDERS: 'acme,my-idp', OIDC_ACME_NAME: 'Acme SSO', OIDC_ACME_SCOPES: 'openid email', OIDC_ACME_ISSUER: 'https://id.acme.test/', OIDC_MY_IDP_ISSUER: 'http://localhost:9000', OIDC_MY_IDP_CLIENT_ID: 'm', OIDC_MY_IDP_CLIENT_SECRET: 'ms' })
  t.match(custom, [{ name: 'Acme SSO', scopes: 'openid email', issuer: 'https://id.acme.test' }, { id: 'my-idp', issuer: 'http://localhost:9000' }])
  t.equal(envPrefix('my-idp'), 'OIDC_MY_IDP_')
})

t.test('a provider misconfigured fails with the variable named', async t => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ OIDC_PROVIDERS: 'Acme' }, /OIDC_PROVIDERS: "Acme"/],
    [{ OIDC_PROVIDERS: 'a_b' }, /OIDC_PROVIDERS/],
    [{ ...acme, OIDC_PROVIDERS: 'acme,acme' }, /listed twice/],
    [{ ...acme, OIDC_ACME_ISSUER: undefined }, /OIDC_ACME_ISSUER is required/],
    [{ ...acme, OIDC_ACME_CLIENT_ID: '' }, /OIDC_ACME_CLIENT_ID is required/],
    [{ ...acme, OIDC_ACME_CLIENT_SECRET: ' ' }, /OIDC_ACME_CLIENT_SECRET is required/],
    [{ ...acme, OIDC_ACME_ISSUER: 'http://id.acme.test' }, /OIDC_ACME_ISSUER: .* must be https/],
    [{ ...acme, OIDC_ACME_ISSUER: 'not a url' }, /not a URL/],
    [{ ...acme, OIDC_ACME_SCOPES: 'email profile' }, /OIDC_ACME_SCOPES must include "openid"/]
  ]
  for (const [env, message] of bad) t.throws(() => parseOidcProviders(env), { message }, JSON.stringify(env))
  t.equal(issuerProblem('http://127.0.0.1:8080'), null)
  t.equal(issuerProblem('http://[::1]:8080'), null)
  t.match(issuerProblem('ftp://localhost'), /https/)
})

t.test('the checks of a transaction derive from its secret alone', async t => {
  const secret = newTransactionSecret()
  const checks = deriveChecks(secret)
  t.same(deriveChecks(secret), checks, 'deterministic: nothing to store')
  t.equal(new Set(Object.values(checks)).size, 3, 'three different values')
  t.match(checks.codeVerifier, /^[A-Za-z0-9_-]{43}$/, 'a valid PKCE verifier (RFC 7636: 43 to 128 unreserved characters)')
  for (const value of Object.values(checks)) t.notOk(value.includes(secret), 'none reveals the secret')
  t.not(deriveChecks(newTransactionSecret()).state, checks.state)
})

t.test('secret query parameters are redacted from logged URLs', async t => {
  t.equal(redactUrl('/auth/oidc/g/callback?code=abc&state=s&iss=x'), '/auth/oidc/g/callback?code=%5Bredacted%5D&state=s&iss=x')
  t.equal(redactUrl('/x?token=1&access_token=2&password=3&client_secret=4&page=2'), '/x?token=%5Bredacted%5D&access_token=%5Bredacted%5D&password=%5Bredacted%5D&client_secret=%5Bredacted%5D&page=2')
  t.equal(redactUrl('/admin/users?page=2&limit=5'), '/admin/users?page=2&limit=5', 'others untouched, byte for byte')
  t.equal(redactUrl('/health'), '/health')
})

t.test('log format: pretty on a terminal in development, JSON otherwise, or as LOG_FORMAT says', async t => {
  t.equal(logFormat(loadConfig({}), true), 'pretty')
  t.equal(logFormat(loadConfig({}), false), 'json', 'piped to a collector')
  t.equal(logFormat(loadConfig({ NODE_ENV: 'production', MONGO_URL: 'mongodb://db/x', REFRESH_TOKEN_SECRET: 'r'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), SMTP_URL: 'smtp://m' }), true), 'json', 'production')
  t.equal(logFormat(loadConfig({ LOG_FORMAT: 'json' }), true), 'json')
  t.equal(logFormat(loadConfig({ LOG_FORMAT: 'pretty' }), false), 'pretty')
  t.throws(() => loadConfig({ LOG_FORMAT: 'xml' }), /LOG_FORMAT/)
})
