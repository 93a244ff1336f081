import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import { parse as parseDuration } from '@lukeed/ms'
import { Type, type Static } from '@sinclair/typebox'
import type { ErrorObject } from 'ajv'
import { envSchema } from 'env-schema'
import { contrastRatio } from './lib/color.js'
import { parseOidcProviders, type OidcProviderConfig } from './lib/oidc-providers.js'

const DURATION = '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w|y)?$'
const Duration = (def: string) => Type.String({ default: def, pattern: DURATION })

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  /** The origin clients reach this server at (links, the OpenAPI `servers`); default http://localhost:PORT. */
  PUBLIC_URL: Type.Optional(Type.String({ minLength: 1 })),
  MONGO_URL: Type.Optional(Type.String({ minLength: 1 })),
  /** How long the boot waits for an unreachable MONGO_URL before it gives up; default 30s in production, 5s in development. */
  MONGO_CONNECT_TIMEOUT: Type.Optional(Type.String({ pattern: DURATION })),
  /** ES256 (default) or EdDSA: asymmetric keys in the database, published as a JWKS. HS256: ACCESS_TOKEN_SECRET signs (legacy). */
  ACCESS_TOKEN_ALG: Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA'), Type.Literal('HS256')], { default: 'ES256' }),
  /** The access tokens' `aud`; unset: none. */
  ACCESS_TOKEN_AUDIENCE: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** Days between automatic rotations of the signing key; 0: only on request. */
  SIGNING_KEY_ROTATION_DAYS: Type.Integer({ default: 90, minimum: 0, maximum: 3650 }),
  ACCESS_TOKEN_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  REFRESH_TOKEN_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** Encrypts secrets at rest (TOTP secrets) and keys the hashes of recovery codes; unset: random per process. */
  ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 32 })),
  ACCESS_TOKEN_EXPIRY: Duration('15m'),
  REFRESH_TOKEN_EXPIRY: Duration('7d'),
  /**
   * Adding or removing a way to sign in (and deleting the account) needs the session to have
   * signed in or re-authenticated this recently; 0: every such action asks again.
   */
  REAUTHENTICATION_WINDOW: Duration('5m'),
  REFRESH_GRACE_SECONDS: Type.Integer({ default: 10, minimum: 0, maximum: 300 }),
  MAX_SESSIONS_PER_USER: Type.Integer({ default: 20, minimum: 1, maximum: 1000 }),
  /** Memory for the users' last known state, which lets a refresh skip its read; 0 disables. */
  REFRESH_STATE_CACHE_MB: Type.Integer({ default: 16, minimum: 0, maximum: 4096 }),
  COOKIE_SECURE: Type.Boolean({ default: true }),
  COOKIE_SAMESITE: Type.Union([Type.Literal('lax'), Type.Literal('strict'), Type.Literal('none')], { default: 'lax' }),
  /**
   * The proxies in front: a hop count (`1` for one reverse proxy) or a comma-separated list of
   * their addresses or CIDRs; the client IP is the address just before the trusted ones in
   * X-Forwarded-For. `false`: no proxy. `true` (every hop) only in development.
   */
  TRUST_PROXY: Type.String({ default: 'false' }),
  /** A request must arrive whole (headers and body) within this; a slower one gets 408 and its connection closed. */
  REQUEST_TIMEOUT: Duration('30s'),
  RATE_LIMIT_MAX: Type.Integer({ default: 300, minimum: 1 }),
  /** Default: 10 in production; 100 in development, where one person tries every flow. */
  AUTH_RATE_LIMIT_MAX: Type.Optional(Type.Integer({ minimum: 1 })),
  /** pretty: human-readable lines; json: one JSON object per line. Unset: pretty on a terminal outside production, json otherwise. */
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('pretty'), Type.Literal('json')])),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(l => Type.Literal(l)), { default: 'info' }),
  BODY_LIMIT: Type.Integer({ default: 16384, minimum: 1024, maximum: 1048576 }),
  /** Comma-separated origins (scheme://host[:port]) allowed to call with cookies (CORS + CSRF). */
  ALLOWED_ORIGINS: Type.String({ default: '' }),
  LOGIN_MAX_FAILURES: Type.Integer({ default: 5, minimum: 1, maximum: 100 }),
  /** Concurrent argon2 computations; unset: the cores - 1, at least 1. */
  HASH_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  /** nodemailer connection URL (smtp://user:pass@host:587, smtps://…); unset: mail is logged, not sent. */
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  APP_NAME: Type.String({ default: 'Auth server', minLength: 1, maxLength: 100 }),
  /** The pages' one accent colour (buttons, links, focus rings), `#rrggbb`; white text on it must stay readable. */
  UI_ACCENT_COLOR: Type.String({ default: '#2456c7', pattern: '^#[0-9a-fA-F]{6}$' }),
  /** A logo for the pages' header (APP_NAME its alt text): an https:// URL, or a path on this server. */
  UI_LOGO_URL: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  /** Sender of every mail; default "<APP_NAME> <no-reply@localhost>". */
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3 })),
  RESET_TOKEN_TTL: Duration('30m'),
  VERIFY_TOKEN_TTL: Duration('24h'),
  /** Registration starts no session, and login refuses an unverified email, until the address is verified. */
  REQUIRE_EMAIL_VERIFICATION: Type.Boolean({ default: false }),
  /** `production` refuses to start on development defaults: no MONGO_URL, generated secrets, no ENCRYPTION_KEY or SMTP_URL. */
  NODE_ENV: Type.Optional(Type.String()),
  AUDIT_RETENTION_DAYS: Type.Integer({ default: 90, minimum: 1, maximum: 3650 }),
  /** Comma-separated; these emails get the `admin` role when they register. */
  ADMIN_EMAILS: Type.String({ default: '' }),
  /** The passkeys' relying-party id: PUBLIC_URL's hostname, or a registrable suffix of it. */
  WEBAUTHN_RP_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9.-]+$' })),
  /** Shown by the browser when a passkey is created; default APP_NAME. */
  WEBAUTHN_RP_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  /** Redis (redis://…): the per-IP rate limits are counted there, across instances; unset: in each process. */
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Serves Prometheus metrics at /metrics to `Authorization: Bearer <METRICS_TOKEN>`; unset: /metrics is 404. */
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  /** Comma-separated ids of OpenID Connect providers; each is configured by its OIDC_<ID>_* variables. */
  OIDC_PROVIDERS: Type.String({ default: '' })
})

export type Env = Static<typeof ConfigSchema>

export interface Config extends Omit<Env, 'TRUST_PROXY' | 'AUTH_RATE_LIMIT_MAX'> {
  AUTH_RATE_LIMIT_MAX: number
  /** Fastify's `trustProxy`: false, a hop count, a list of addresses and CIDRs, or (development only) true. */
  TRUST_PROXY: boolean | number | string[]
  /** Settings that work but deserve a line at boot. */
  warnings: string[]
  ENCRYPTION_KEY: string
  /** True when ENCRYPTION_KEY was not configured and a random one was generated for this process. */
  encryptionKeyGenerated: boolean
  PUBLIC_URL: string
  MAIL_FROM: string
  resetTokenTtlSeconds: number
  verifyTokenTtlSeconds: number
  /** HS256's key (generated in development); with an asymmetric algorithm, only to verify the last HS256 tokens after a switch. */
  ACCESS_TOKEN_SECRET: string | undefined
  REFRESH_TOKEN_SECRET: string
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  requestTimeoutMs: number
  reauthenticationWindowMs: number
  mongoConnectTimeoutMs: number
  /** True when no secrets were configured and random ones were generated for this process. */
  secretsGenerated: boolean
  adminEmails: string[]
  allowedOrigins: string[]
  oidcProviders: OidcProviderConfig[]
  webauthn: { rpId: string, rpName: string, origins: string[] }
}

export class ConfigError extends Error {
  override name = 'ConfigError'
  /** One line per problem, each naming its variable. */
  readonly problems: string[]
  constructor (message: string, problems = [message]) {
    super(message)
    this.problems = problems
  }
}

/** What a pattern-checked variable must look like, said in words (no regular expression). */
const EXPECTED: Record<string, string> = {
  SMTP_URL: 'must be a URL like smtp://user:password@mail.example.com:587 or smtps://user:password@mail.example.com:465',
  REDIS_URL: 'must be a URL like redis://127.0.0.1:6379 or rediss://…',
  UI_ACCENT_COLOR: 'must be a colour like #2456c7 (in a .env file, quote it: "#2456c7", since # starts a comment)',
  WEBAUTHN_RP_ID: 'must be a domain name like example.com'
}

/** One line per invalid variable, saying what it must be (the allowed values of an enumeration). */
function describeInvalid (errors: readonly ErrorObject[], data: Record<string, unknown>): string[] {
  const lines = new Map<string, string>()
  for (const error of errors) {
    const name = error.instancePath.slice(1) || String((error.params as { missingProperty?: string }).missingProperty ?? '')
    if (!name || lines.has(name)) continue
    const schema = (ConfigSchema.properties as Record<string, { anyOf?: Array<{ const?: unknown }>, pattern?: string }>)[name]
    const allowed = schema?.anyOf?.map(s => s.const)
    let what: string
    if (allowed?.every(v => v !== undefined)) what = `must be one of ${allowed.join(', ')} (got "${String(data[name])}")`
    else if (error.keyword === 'pattern') what = schema?.pattern === DURATION ? 'must be a duration like 30s, 15m, 12h or 7d' : EXPECTED[name] ?? 'is not in the expected form'
    else if (error.keyword === 'type' && (error.params as { type?: string }).type === 'boolean') what = 'must be true or false'
    else if (error.keyword === 'type' && (error.params as { type?: string }).type === 'integer') what = 'must be a whole number'
    else what = error.message ?? 'is invalid'
    lines.set(name, `${name} ${what}`)
  }
  return [...lines.values()]
}

/** What NODE_ENV=production refuses: every development default that would lose data or secrets. */
function productionProblems (env: Env): string[] {
  const problems: string[] = []
  if (env.MONGO_URL === undefined) problems.push('MONGO_URL is required in production: without it the embedded in-memory database would be used, and every account lost on restart')
  if (env.REFRESH_TOKEN_SECRET === undefined) problems.push('REFRESH_TOKEN_SECRET is required in production: a generated one would sign every session out on restart')
  if (env.ACCESS_TOKEN_ALG === 'HS256' && env.ACCESS_TOKEN_SECRET === undefined) problems.push('ACCESS_TOKEN_SECRET is required in production with ACCESS_TOKEN_ALG=HS256')
  if (env.ENCRYPTION_KEY === undefined) problems.push('ENCRYPTION_KEY is required in production: the signing keys and the TOTP secrets are sealed under it, and would be lost on restart')
  if (env.SMTP_URL === undefined) problems.push('SMTP_URL is required in production: password reset and email verification send mail')
  return problems
}

function seconds (name: string, value: string): number {
  const parsed = parseDuration(value)
  if (parsed === undefined || parsed < 1000) throw new ConfigError(`${name} must be a duration of at least 1s, got "${value}"`)
  return Math.floor(parsed / 1000)
}

/** proxy-addr's names for address ranges, accepted as they are. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal']

function isAddressOrCidr (value: string): boolean {
  if (RANGE_NAMES.includes(value)) return true
  const [address, prefix, extra] = value.split('/')
  const family = isIP(address!)
  if (family === 0 || extra !== undefined) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128)
}

/** TRUST_PROXY as Fastify takes it; `true` trusts every X-Forwarded-For entry, so a client picks its own IP. */
function trustProxy (value: string, production: boolean): { trust: boolean | number | string[], warning?: string } {
  const v = value.trim()
  if (v === '' || v === 'false' || v === '0') return { trust: false }
  const fix = 'set TRUST_PROXY to the number of proxies in front (1 for one reverse proxy) or to their addresses (e.g. 10.0.0.2 or 10.0.0.0/24)'
  if (v === 'true') {
    if (production) throw new ConfigError(`TRUST_PROXY=true trusts every X-Forwarded-For entry, so each client chooses its own IP and escapes the per-IP limits: ${fix}`)
    return { trust: true, warning: `TRUST_PROXY=true trusts every X-Forwarded-For entry (refused in production): ${fix}` }
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v)
    if (hops > 10) throw new ConfigError(`TRUST_PROXY=${v}: at most 10 hops`)
    return { trust: hops }
  }
  const entries = list(v)
  const bad = entries.filter(e => !isAddressOrCidr(e))
  if (bad.length) throw new ConfigError(`TRUST_PROXY: "${bad.join('", "')}" is not an IP address or CIDR; ${fix}`)
  return { trust: entries }
}

/** An https URL, or a path on this server (never `//host` or `/\\host`, which browsers read as another host). */
function isLogoUrl (value: string): boolean {
  if (value.startsWith('/')) return !value.startsWith('//') && !value.startsWith('/\\') && !/[\s"<>]/.test(value)
  try {
    return new URL(value).protocol === 'https:'
  } catch {
    return false
  }
}

const list = (value: string) => value.split(',').map(v => v.trim()).filter(Boolean)

function origin (name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${name}: "${value}" is not an origin like https://app.example.com`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}: "${value}" must be an http:// or https:// origin`)
  }
  if (url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) {
    throw new ConfigError(`${name}: "${value}" must be an origin (scheme://host[:port]) with no path`)
  }
  return url.origin
}

/**
 * Validates the environment (or an override object in tests) once, before Fastify starts,
 * so a bad value fails the boot with a message that names the variable.
 */
export function loadConfig (data: Record<string, unknown> = process.env): Config {
  let env: Env
  try {
    env = envSchema<Env>({ schema: ConfigSchema, data, dotenv: data === process.env })
  } catch (err) {
    const problems = describeInvalid((err as { errors?: ErrorObject[] }).errors ?? [], data)
    if (!problems.length) throw new ConfigError((err as Error).message)
    throw new ConfigError(problems.join('\n'), problems)
  }
  const access = env.ACCESS_TOKEN_SECRET
  const refresh = env.REFRESH_TOKEN_SECRET
  if (refresh === undefined && access !== undefined) {
    throw new ConfigError('Set REFRESH_TOKEN_SECRET too (or neither, in development only)')
  }
  if (env.ACCESS_TOKEN_ALG === 'HS256' && refresh !== undefined && access === undefined) {
    throw new ConfigError('ACCESS_TOKEN_ALG=HS256 signs with ACCESS_TOKEN_SECRET: set it too (or neither, in development only)')
  }
  if (access !== undefined && access === refresh) {
    throw new ConfigError('ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET must be different')
  }
  // White button text on the accent, and accent links on the page's light background (#f6f7f9).
  const accentContrast = contrastRatio(env.UI_ACCENT_COLOR, '#f6f7f9')
  if (accentContrast < 4.5) {
    throw new ConfigError(`UI_ACCENT_COLOR=${env.UI_ACCENT_COLOR} is too light to read text on or against (contrast ${accentContrast.toFixed(2)}:1, at least 4.5:1 needed): pick a darker colour`)
  }
  if (env.UI_LOGO_URL !== undefined && !isLogoUrl(env.UI_LOGO_URL)) {
    throw new ConfigError(`UI_LOGO_URL must be an https:// URL or a path on this server starting with / (got "${env.UI_LOGO_URL}")`)
  }
  if (env.COOKIE_SAMESITE === 'none' && !env.COOKIE_SECURE) {
    throw new ConfigError('COOKIE_SAMESITE=none requires COOKIE_SECURE=true (browsers reject it otherwise)')
  }
  if (env.NODE_ENV === 'production') {
    const problems = productionProblems(env)
    if (problems.length) throw new ConfigError(problems.join('\n'), problems)
  }
  const proxy = trustProxy(env.TRUST_PROXY, env.NODE_ENV === 'production')
  const secretsGenerated = refresh === undefined
  let oidcProviders: OidcProviderConfig[]
  try {
    oidcProviders = parseOidcProviders(data)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  const publicUrl = env.PUBLIC_URL === undefined ? `http://localhost:${env.PORT}` : origin('PUBLIC_URL', env.PUBLIC_URL)
  const allowedOrigins = list(env.ALLOWED_ORIGINS).map(o => origin('ALLOWED_ORIGINS', o))
  const host = new URL(publicUrl).hostname
  const rpId = env.WEBAUTHN_RP_ID ?? host
  if (host !== rpId && !host.endsWith(`.${rpId}`)) {
    throw new ConfigError(`WEBAUTHN_RP_ID: "${rpId}" must be PUBLIC_URL's hostname (${host}) or a domain it is under`)
  }
  return {
    ...env,
    TRUST_PROXY: proxy.trust,
    AUTH_RATE_LIMIT_MAX: env.AUTH_RATE_LIMIT_MAX ?? (env.NODE_ENV === 'production' ? 10 : 100),
    warnings: proxy.warning ? [proxy.warning] : [],
    ENCRYPTION_KEY: env.ENCRYPTION_KEY ?? randomBytes(48).toString('base64url'),
    encryptionKeyGenerated: env.ENCRYPTION_KEY === undefined,
    PUBLIC_URL: publicUrl,
    MAIL_FROM: env.MAIL_FROM ?? `"${env.APP_NAME.replace(/["\\]/g, '')}" <no-reply@localhost>`,
    resetTokenTtlSeconds: seconds('RESET_TOKEN_TTL', env.RESET_TOKEN_TTL),
    verifyTokenTtlSeconds: seconds('VERIFY_TOKEN_TTL', env.VERIFY_TOKEN_TTL),
    ACCESS_TOKEN_SECRET: access ?? (env.ACCESS_TOKEN_ALG === 'HS256' ? randomBytes(48).toString('base64url') : undefined),
    REFRESH_TOKEN_SECRET: refresh ?? randomBytes(48).toString('base64url'),
    accessTokenTtlSeconds: seconds('ACCESS_TOKEN_EXPIRY', env.ACCESS_TOKEN_EXPIRY),
    refreshTokenTtlSeconds: seconds('REFRESH_TOKEN_EXPIRY', env.REFRESH_TOKEN_EXPIRY),
    requestTimeoutMs: seconds('REQUEST_TIMEOUT', env.REQUEST_TIMEOUT) * 1000,
    reauthenticationWindowMs: parseDuration(env.REAUTHENTICATION_WINDOW)!,
    mongoConnectTimeoutMs: (env.MONGO_CONNECT_TIMEOUT === undefined ? (env.NODE_ENV === 'production' ? 30 : 5) : seconds('MONGO_CONNECT_TIMEOUT', env.MONGO_CONNECT_TIMEOUT)) * 1000,
    secretsGenerated,
    adminEmails: list(env.ADMIN_EMAILS).map(e => e.toLowerCase()),
    allowedOrigins,
    oidcProviders,
    webauthn: { rpId, rpName: env.WEBAUTHN_RP_NAME ?? env.APP_NAME, origins: [publicUrl, ...allowedOrigins] }
  }
}
