import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import mongoose, { type Connection } from 'mongoose'
import { isDatabaseUnavailable } from '../../src/db-unavailable.js'

declare module 'fastify' {
  interface FastifyInstance {
    mongo: Connection
  }
}

/** A boot failure whose message is the whole story: logged as one line, no stack. */
export class BootError extends Error {
  override name = 'BootError'
}

/**
 * Why the driver could not reach the server, in its own words ("connect ECONNREFUSED
 * 127.0.0.1:27017", "getaddrinfo ENOTFOUND db", "Authentication failed."), if it said.
 */
function causeOf (err: unknown): string | undefined {
  const servers = (err as { reason?: { servers?: Map<string, { error?: { message?: string } | null }> } }).reason?.servers
  for (const server of servers?.values() ?? []) if (server.error?.message) return server.error.message
  return (err as { cause?: { message?: string } }).cause?.message
}

/** The connection string with its password masked, for logs. */
export const redactMongoUrl = (url: string) => url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@')

/**
 * One connection per app instance (`createConnection`, not the global `connect`), so several
 * apps in one process (tests) never share state; models are bound to it by plugins/app. An
 * unreachable database is retried for `connectTimeoutMs` (MONGO_CONNECT_TIMEOUT) with one
 * warning, then the boot fails with one line; a malformed URL fails at once.
 * @see https://mongoosejs.com/docs/connections.html#multiple_connections
 */
export default fp<{ url: string, connectTimeoutMs?: number }>(async function mongo (fastify, opts) {
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 30_000)
  const shown = redactMongoUrl(opts.url)
  let connection: Connection | undefined
  for (let warned = false; !connection;) {
    // Several attempts fit in the timeout: the first failure warns, the last gives up.
    const attemptMs = Math.max(500, Math.min(5000, (deadline - Date.now()) / 2))
    let attempt: Connection | undefined
    try {
      // No command buffering: with the database gone, requests fail at once instead of hanging.
      attempt = mongoose.createConnection(opts.url, { serverSelectionTimeoutMS: attemptMs, bufferCommands: false })
      connection = await attempt.asPromise()
    } catch (err) {
      await attempt?.close().catch(() => {})
      if (!isDatabaseUnavailable(err)) throw new BootError(`MONGO_URL (${shown}) is not a usable connection string: ${(err as Error).message}`)
      const cause = causeOf(err)
      const why = cause ? ` (${cause.replaceAll(opts.url, shown)})` : ''
      if (Date.now() >= deadline) throw new BootError(`MONGO_URL (${shown}): the database did not answer within MONGO_CONNECT_TIMEOUT${why}; giving up`)
      if (!warned) fastify.log.warn(`MONGO_URL (${shown}): the database does not answer${why}; retrying until MONGO_CONNECT_TIMEOUT`)
      warned = true
      await sleep(500)
    }
  }
  fastify.decorate('mongo', connection)
  fastify.addHook('onClose', async () => { await connection.close() })
}, { name: 'mongoose' })
