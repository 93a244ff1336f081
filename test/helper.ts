import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import type { Collection } from 'mongoose'
import tap from 'tap'
import app from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startEmbeddedMongo, type EmbeddedMongo } from '../src/embedded-mongo.js'
import { serverOptions } from '../src/server-options.js'

export const ACCESS_SECRET = 'test-access-secret-that-is-long-enough-0001'
export const REFRESH_SECRET = 'test-refresh-secret-that-is-long-enough-0002'
export const PASSWORD = 'correct horse battery'

type T = { teardown: (fn: () => unknown) => void }

let embedded: Promise<EmbeddedMongo> | undefined

/** One embedded server per test process, stopped when the whole file is done. */
function mongo (): Promise<EmbeddedMongo> {
  if (!embedded) {
    embedded = startEmbeddedMongo()
    tap.teardown(async () => { await (await embedded)?.stop() })
  }
  return embedded
}

export interface Built {
  app: FastifyInstance
  /** Every log line the app wrote, as parsed JSON. */
  logs: Array<Record<string, unknown>>
}

/**
 * The app with production server options, a fresh database, test secrets and generous rate
 * limits unless overridden. Closed and dropped in teardown. `opts.mongo`: an embedded server of
 * the test's own (one it can stop), instead of the file's shared one. `opts.dbName`: a database
 * another app of the test also uses (two servers of one deployment). `opts.logs`: where the log
 * lines go (read them after a boot that throws).
 */
export async function buildWithLogs (t: T, overrides: Record<string, unknown> = {}, opts: { mongo?: EmbeddedMongo, dbName?: string, logs?: Array<Record<string, unknown>> } = {}): Promise<Built> {
  const config = loadConfig({
    ACCESS_TOKEN_SECRET: ACCESS_SECRET,
    REFRESH_TOKEN_SECRET: REFRESH_SECRET,
    LOG_LEVEL: 'info',
    RATE_LIMIT_MAX: 100_000,
    AUTH_RATE_LIMIT_MAX: 100_000,
    ...overrides
  })
  // The caller's array, if any: it keeps the lines of a boot that fails.
  const logs: Array<Record<string, unknown>> = opts.logs ?? []
  const stream = new Writable({
    write (chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    }
  })
  const options = serverOptions(config)
  const fastify = Fastify({ ...options, logger: { ...(options.logger as object), stream } })
  const db = opts.mongo ?? await mongo()
  try {
    await fastify.register(app, { config, mongoUrl: db.url(opts.dbName ?? newDbName()) })
    await fastify.ready()
  } catch (err) {
    // A boot that fails (a test of a bad configuration) must not leave its connection open.
    await fastify.close().catch(() => {})
    throw err
  }
  t.teardown(async () => {
    if (fastify.mongo.readyState === 1) await fastify.mongo.dropDatabase()
    await fastify.close()
    // Every error a test provoked must be one its route documents (the OpenAPI enum of codes).
    const undocumented = logs.filter(l => l.msg === 'undocumented error code')
    if (undocumented.length) throw new Error(`undocumented error codes: ${[...new Set(undocumented.map(({ code, status, route }) => `${String(route)} ${String(status)} ${String(code)}`))].join(', ')}`)
  })
  return { app: fastify, logs }
}

/** The URL of database `dbName` on the file's embedded server: for a tool run beside an app built on it. */
export async function mongoUrl (dbName: string): Promise<string> {
  return (await mongo()).url(dbName)
}

export const newDbName = () => `t_${randomBytes(6).toString('hex')}`

export async function build (t: T, overrides: Record<string, unknown> = {}): Promise<FastifyInstance> {
  return (await buildWithLogs(t, overrides)).app
}

let counter = 0
export const uniqueEmail = () => `user${++counter}.${randomBytes(3).toString('hex')}@example.com`

const BEARER = { 'x-auth-mode': 'bearer' }

export interface BearerSession {
  accessToken: string
  refreshToken: string
  user: { id: string, email: string, emailVerified: boolean, roles: string[] }
}

export async function registerBearer (app: FastifyInstance, email = uniqueEmail()): Promise<BearerSession> {
  const res = await app.inject({ method: 'POST', url: '/auth/register', headers: BEARER, payload: { email, password: PASSWORD } })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  return res.json()
}

/**
 * A registered user whose address is verified, as its verification link would do (that flow is
 * tested in routes/email-verification.test.ts): only such an account may add a way to sign in.
 */
export async function registerVerified (app: FastifyInstance, email = uniqueEmail()): Promise<BearerSession> {
  const session = await registerBearer(app, email)
  await app.mongo.collection('users').updateOne({ email }, { $set: { emailVerified: true }, $inc: { rev: 1 } })
  return { ...session, user: { ...session.user, emailVerified: true } }
}

/**
 * A registered user made admin as `npm run admin -- grant-admin` does, with a session whose
 * token carries the role (refreshed after the grant).
 */
export async function registerAdmin (app: FastifyInstance, email = uniqueEmail()): Promise<BearerSession> {
  const session = await registerBearer(app, email)
  await app.roles.setRoles(session.user.id, ['admin'], { ip: '127.0.0.1', userAgent: 'test setup' }, null)
  const refreshed = await refreshBearer(app, session.refreshToken)
  if (refreshed.statusCode !== 200) throw new Error(`refresh failed: ${refreshed.statusCode} ${refreshed.body}`)
  return refreshed.json()
}

export function loginBearer (app: FastifyInstance, email: string) {
  return app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email, password: PASSWORD } })
}

export function refreshBearer (app: FastifyInstance, refreshToken: string) {
  return app.inject({ method: 'POST', url: '/auth/refresh', headers: BEARER, payload: { refreshToken } })
}

export function me (app: FastifyInstance, accessToken: string) {
  return app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${accessToken}` } })
}

/** Every other spelling of the token's signature: the same bytes, other unused low bits in its last character. */
export function respellings (token: string): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const head = token.slice(0, -1)
  const bytes = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')
  return [...alphabet].map(c => head + c).filter(t => t !== token && Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url').equals(bytes))
}

/** The claims of a JWT, read without verifying it. */
export function jwtClaims (jwt: string) {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())
}

export function cookie (res: LightMyRequestResponse, fragment: string) {
  return res.cookies.find(c => c.name.includes(fragment))
}

export { BEARER }

/**
 * Holds the app's hashing (build it with HASH_CONCURRENCY=1) with `count` hashes, so a login's
 * password check waits behind them. `queued(n)` resolves once `n` more checks wait too.
 */
export function holdHashing (app: FastifyInstance, count: number) {
  let done = 0
  const held = Array.from({ length: count }, () => app.passwords.hash('held').then(() => { done++ }))
  return {
    held: Promise.all(held),
    get done () { return done },
    async queued (n: number) {
      for (;;) {
        const { active, pending } = app.passwords.load()
        if (active + pending + done >= count + n) return
        await sleep(1)
      }
    }
  }
}

/**
 * Records every `findOne` on a model's collection: its filter at call time, and the document
 * once it has resolved.
 */
export function recordFindOne (collection: Collection) {
  const reads: Array<{ filter: Record<string, unknown>, doc?: unknown }> = []
  const findOne = collection.findOne
  collection.findOne = function (this: unknown, ...args: Parameters<typeof findOne>) {
    const read: (typeof reads)[number] = { filter: (args[0] ?? {}) as Record<string, unknown> }
    reads.push(read)
    const result = findOne.apply(this, args) as unknown as Promise<unknown>
    return result.then(doc => { read.doc = doc; return doc })
  } as typeof findOne
  return reads
}
