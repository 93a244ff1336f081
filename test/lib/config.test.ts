import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

const A = 'a'.repeat(32)
const R = 'r'.repeat(32)

t.test('defaults', async t => {
  const c = loadConfig({})
  t.equal(c.PORT, 3000)
  t.equal(c.accessTokenTtlSeconds, 900)
  t.equal(c.refreshTokenTtlSeconds, 7 * 86400)
  t.equal(c.AUTH_RATE_LIMIT_MAX, 100, 'development: 100 auth requests a minute per address')
  t.equal(c.mongoConnectTimeoutMs, 5000, 'development: an unreachable database is given up after 5 s')
  t.equal(loadConfig({ MONGO_CONNECT_TIMEOUT: '1m' }).mongoConnectTimeoutMs, 60_000)
  t.equal(loadConfig({ NODE_ENV: 'production', MONGO_URL: 'mongodb://127.0.0.1/x', REFRESH_TOKEN_SECRET: R, ENCRYPTION_KEY: A, SMTP_URL: 'smtp://127.0.0.1:25' }).AUTH_RATE_LIMIT_MAX, 10, 'production: 10')
  t.equal(loadConfig({ NODE_ENV: 'production', MONGO_URL: 'mongodb://127.0.0.1/x', REFRESH_TOKEN_SECRET: R, ENCRYPTION_KEY: A, SMTP_URL: 'smtp://127.0.0.1:25' }).mongoConnectTimeoutMs, 30_000, 'production waits 30 s for the database')
  t.equal(loadConfig({ AUTH_RATE_LIMIT_MAX: '7' }).AUTH_RATE_LIMIT_MAX, 7, 'or as set')
  t.equal(c.COOKIE_SECURE, true)
  t.equal(c.REFRESH_GRACE_SECONDS, 10)
  t.same(c.adminEmails, [])
  t.same(loadConfig({ ADMIN_EMAILS: ' Root@Example.com, ,ops@example.com' }).adminEmails, ['root@example.com', 'ops@example.com'])
  t.ok(c.secretsGenerated, 'no secrets configured: generated')
  t.ok(c.REFRESH_TOKEN_SECRET.length >= 32)
  t.not(loadConfig({}).REFRESH_TOKEN_SECRET, c.REFRESH_TOKEN_SECRET, 'random per boot')
  t.same([c.ACCESS_TOKEN_ALG, c.ACCESS_TOKEN_SECRET, c.SIGNING_KEY_ROTATION_DAYS], ['ES256', undefined, 90], 'ES256 by default: no access secret')
  const hs = loadConfig({ ACCESS_TOKEN_ALG: 'HS256' })
  t.ok(hs.ACCESS_TOKEN_SECRET && hs.ACCESS_TOKEN_SECRET.length >= 32 && hs.ACCESS_TOKEN_SECRET !== hs.REFRESH_TOKEN_SECRET, 'HS256: a generated access secret too')
  t.equal(loadConfig({ REFRESH_TOKEN_SECRET: R }).ACCESS_TOKEN_SECRET, undefined, 'ES256 needs only the refresh secret')
})

t.test('environment strings are coerced and used', async t => {
  const c = loadConfig({ PORT: '8080', COOKIE_SECURE: 'false', ACCESS_TOKEN_EXPIRY: '2s', REFRESH_TOKEN_EXPIRY: '1h', ACCESS_TOKEN_SECRET: A, REFRESH_TOKEN_SECRET: R })
  t.equal(c.PORT, 8080)
  t.equal(c.COOKIE_SECURE, false)
  t.equal(c.accessTokenTtlSeconds, 2)
  t.equal(c.refreshTokenTtlSeconds, 3600)
  t.equal(c.secretsGenerated, false)
  t.equal(c.ACCESS_TOKEN_SECRET, A)
})

t.test('bad configuration fails fast with the variable named', async t => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ ACCESS_TOKEN_SECRET: 'short', REFRESH_TOKEN_SECRET: R }, /ACCESS_TOKEN_SECRET/],
    [{ ACCESS_TOKEN_SECRET: A }, /REFRESH_TOKEN_SECRET too/],
    [{ REFRESH_TOKEN_SECRET: R, ACCESS_TOKEN_ALG: 'HS256' }, /ACCESS_TOKEN_SECRET/],
    [{ ACCESS_TOKEN_ALG: 'RS256' }, /ACCESS_TOKEN_ALG/],
    [{ ACCESS_TOKEN_SECRET: A, REFRESH_TOKEN_SECRET: A }, /different/],
    [{ ACCESS_TOKEN_EXPIRY: 'soon' }, /ACCESS_TOKEN_EXPIRY/],
    [{ ACCESS_TOKEN_EXPIRY: '10ms' }, /at least 1s/],
    [{ PORT: 'abc' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'false' }, /COOKIE_SECURE/],
    [{ OIDC_PROVIDERS: 'acme' }, /OIDC_ACME_ISSUER is required/],
    [{ PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'other.example' }, /WEBAUTHN_RP_ID/],
    [{ PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'th.example.com' }, /WEBAUTHN_RP_ID/],
    [{ WEBAUTHN_RP_ID: 'Has Spaces' }, /WEBAUTHN_RP_ID/],
    [{ PUBLIC_URL: 'ftp://auth.example.com' }, /PUBLIC_URL: "ftp:\/\/auth\.example\.com" must be an http:\/\/ or https:\/\/ origin/],
    [{ ALLOWED_ORIGINS: 'ws://app.example.com' }, /ALLOWED_ORIGINS: .* must be an http:\/\/ or https:\/\/ origin/]
  ]
  for (const [env, message] of bad) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
  }
  t.ok(new ConfigError('x') instanceof Error)
})

t.test('mail and links', async t => {
  const c = loadConfig({})
  t.equal(c.PUBLIC_URL, 'http://localhost:3000', 'default: this server on localhost')
  t.equal(loadConfig({ PORT: '8080' }).PUBLIC_URL, 'http://localhost:8080')
  t.equal(loadConfig({ PUBLIC_URL: 'https://auth.example.com/' }).PUBLIC_URL, 'https://auth.example.com')
  t.throws(() => loadConfig({ PUBLIC_URL: 'https://auth.example.com/login' }), /PUBLIC_URL/)
  t.equal(c.MAIL_FROM, '"Auth server" <no-reply@localhost>')
  t.equal(loadConfig({ APP_NAME: 'Acme "ID"' }).MAIL_FROM, '"Acme ID" <no-reply@localhost>')
  t.same([c.resetTokenTtlSeconds, c.verifyTokenTtlSeconds, c.REQUIRE_EMAIL_VERIFICATION], [1800, 86400, false])
  t.throws(() => loadConfig({ SMTP_URL: 'mail.example.com:587' }), /SMTP_URL/)
  const prod = { NODE_ENV: 'production', MONGO_URL: 'mongodb://db/auth', REFRESH_TOKEN_SECRET: R, ENCRYPTION_KEY: A }
  t.throws(() => loadConfig(prod), { name: 'ConfigError', message: /SMTP_URL is required in production/ })
  t.equal(loadConfig({ ...prod, SMTP_URL: 'smtps://u:p@mail.example.com' }).SMTP_URL, 'smtps://u:p@mail.example.com')
})

t.test('ENCRYPTION_KEY: random per process in development, required in production', async t => {
  const c = loadConfig({})
  t.equal(c.encryptionKeyGenerated, true)
  t.ok(c.ENCRYPTION_KEY.length >= 32)
  t.not(loadConfig({}).ENCRYPTION_KEY, c.ENCRYPTION_KEY)
  t.same([loadConfig({ ENCRYPTION_KEY: A }).ENCRYPTION_KEY, loadConfig({ ENCRYPTION_KEY: A }).encryptionKeyGenerated], [A, false])
  t.throws(() => loadConfig({ ENCRYPTION_KEY: 'short' }), /ENCRYPTION_KEY/)
  t.throws(() => loadConfig({ NODE_ENV: 'production', MONGO_URL: 'mongodb://db/auth', REFRESH_TOKEN_SECRET: R, SMTP_URL: 'smtp://mail.example.com' }), { name: 'ConfigError', message: /ENCRYPTION_KEY is required in production/ })
})

t.test('passkeys: the RP id and the origins', async t => {
  t.same(loadConfig({}).webauthn, { rpId: 'localhost', rpName: 'Auth server', origins: ['http://localhost:3000'] })
  const c = loadConfig({ PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'example.com', APP_NAME: 'Acme', ALLOWED_ORIGINS: 'https://app.example.com' })
  t.same(c.webauthn, { rpId: 'example.com', rpName: 'Acme', origins: ['https://auth.example.com', 'https://app.example.com'] }, 'a parent domain, so passkeys work on its other subdomains too')
  t.equal(loadConfig({ WEBAUTHN_RP_NAME: 'Acme ID' }).webauthn.rpName, 'Acme ID')
})

t.test('production refuses every development default at once, one line each, naming the variable', async t => {
  let caught: unknown
  try {
    loadConfig({ NODE_ENV: 'production' })
  } catch (err) {
    caught = err
  }
  t.type(caught, ConfigError)
  const { problems } = caught as ConfigError
  t.same(problems.map(p => p.split(' ')[0]), ['MONGO_URL', 'REFRESH_TOKEN_SECRET', 'ENCRYPTION_KEY', 'SMTP_URL'])
  t.match((() => { try { loadConfig({ NODE_ENV: 'production', ACCESS_TOKEN_ALG: 'HS256' }) } catch (err) { return (err as ConfigError).problems } })(), [/^MONGO_URL/, /^REFRESH_TOKEN_SECRET/, /^ACCESS_TOKEN_SECRET/, /^ENCRYPTION_KEY/, /^SMTP_URL/])
})

t.test('UI_ACCENT_COLOR: #rrggbb, dark enough to read white text on and to read against the page', async t => {
  t.equal(loadConfig({}).UI_ACCENT_COLOR, '#2456c7')
  t.equal(loadConfig({ UI_ACCENT_COLOR: '#7A1FA2' }).UI_ACCENT_COLOR, '#7A1FA2')
  t.throws(() => loadConfig({ UI_ACCENT_COLOR: '#ffd400' }), /UI_ACCENT_COLOR=#ffd400 is too light .*contrast 1\.\d+:1, at least 4\.5:1/)
  for (const bad of ['red', '#fff', '2456c7', '#2456c7ff']) t.throws(() => loadConfig({ UI_ACCENT_COLOR: bad }), /UI_ACCENT_COLOR/, bad)
})

t.test('TRUST_PROXY: a hop count or proxy addresses; true only in development', async t => {
  t.equal(loadConfig({}).TRUST_PROXY, false)
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY, false)
  t.equal(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY, 1)
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.2, 10.1.0.0/16,::1,loopback' }).TRUST_PROXY, ['10.0.0.2', '10.1.0.0/16', '::1', 'loopback'])
  const dev = loadConfig({ TRUST_PROXY: 'true' })
  t.equal(dev.TRUST_PROXY, true)
  t.match(dev.warnings, [/TRUST_PROXY=true .*refused in production/])
  t.same(loadConfig({ TRUST_PROXY: '1' }).warnings, [])
  const production = { NODE_ENV: 'production', MONGO_URL: 'mongodb://127.0.0.1/x', REFRESH_TOKEN_SECRET: R, ENCRYPTION_KEY: A, SMTP_URL: 'smtp://127.0.0.1:25' }
  t.throws(() => loadConfig({ ...production, TRUST_PROXY: 'true' }), { message: /TRUST_PROXY=true .*set TRUST_PROXY to the number of proxies/ })
  t.equal(loadConfig({ ...production, TRUST_PROXY: '2' }).TRUST_PROXY, 2)
  for (const bad of ['yes', '10.0.0.300', '10.0.0.0/33', 'fe80::/129', '10.0.0.1/8/2', '99']) {
    t.throws(() => loadConfig({ TRUST_PROXY: bad }), { name: 'ConfigError', message: /TRUST_PROXY/ }, bad)
  }
})

t.test('messages a person can act on: the allowed values in one line, never a regular expression', async t => {
  const message = (env: Record<string, unknown>) => {
    try {
      loadConfig(env)
      return ''
    } catch (err) {
      return (err as Error).message
    }
  }
  t.equal(message({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")')
  t.equal(message({ LOG_FORMAT: 'xml' }), 'LOG_FORMAT must be one of pretty, json (got "xml")')
  t.equal(message({ ACCESS_TOKEN_ALG: 'RS256' }), 'ACCESS_TOKEN_ALG must be one of ES256, EdDSA, HS256 (got "RS256")')
  t.match(message({ SMTP_URL: 'mail.example.com' }), /^SMTP_URL must be a URL like smtp:\/\//)
  t.match(message({ UI_ACCENT_COLOR: 'blue' }), /^UI_ACCENT_COLOR must be a colour like #2456c7/)
  t.equal(message({ ACCESS_TOKEN_EXPIRY: 'soon' }), 'ACCESS_TOKEN_EXPIRY must be a duration like 30s, 15m, 12h or 7d')
  t.equal(message({ COOKIE_SECURE: 'maybe' }), 'COOKIE_SECURE must be true or false')
  t.equal(message({ PORT: 'abc' }), 'PORT must be a whole number')
  const all = [message({ REDIS_URL: 'localhost' }), message({ WEBAUTHN_RP_ID: 'Has Spaces' }), message({ REAUTHENTICATION_WINDOW: 'a while' })]
  for (const line of all) t.notMatch(line, /[\^$\\]|\{\d/, `no regular expression: ${line}`)
  let problems: string[] = []
  try {
    loadConfig({ LOG_LEVEL: 'loud', PORT: 'x' })
  } catch (err) {
    problems = (err as ConfigError).problems
  }
  t.same(problems, ['PORT must be a whole number', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'], 'one line per variable')
})
