// The auth thread (src/services/auth-thread.ts): a headless app with its own database connection
// and password hashing, answering registration and login for the main thread.
import { getPriority, setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import Fastify from 'fastify'
import { auditLogFor, authServiceFor, loginThrottleFor } from '../plugins/app/services.js'
import type { Config } from './config.js'
import { registerCore } from './core.js'
import { configureHashing, hashingReady } from './lib/passwords.js'
import { serverOptions } from './server-options.js'
import { toWire, type Call, type Notice, type Reply } from './services/auth-thread.js'

/** The kernel prefers the main thread's event loop when both want a core (bench/README.md). */
const NICE = 10

const port = parentPort!
const { config, mongoUrl } = workerData as { config: Config, mongoUrl: string }
const notify = (msg: Notice | Reply) => port.postMessage(msg)

// Linux applies setpriority to the calling thread only. Never raises a priority already lower.
try {
  if (getPriority() < NICE) setPriority(NICE)
} catch {}

const { logger } = serverOptions(config) as { logger: object }
const fastify = Fastify({ logger: { ...logger, stream: { write: (line: string) => notify({ log: line }) } } })
try {
  await registerCore(fastify, { config, mongoUrl })
  await fastify.ready()
  configureHashing({ worker: config.HASH_WORKER, concurrency: config.HASH_CONCURRENCY })
  await hashingReady()
} catch (err) {
  notify({ bootError: (err as Error).message })
  process.exit(1)
}

const service = authServiceFor(fastify, auditLogFor(fastify), loginThrottleFor(fastify)) as unknown as Record<Call['method'], (...args: unknown[]) => Promise<unknown>>

port.on('message', (msg: Call | { close: true }) => {
  if ('close' in msg) {
    fastify.close().finally(() => process.exit(0))
    return
  }
  service[msg.method](...msg.args).then(
    result => notify({ id: msg.id, result }),
    (err: unknown) => {
      const error = toWire(err)
      if (error.statusCode >= 500) fastify.log.error({ err }, 'auth service call failed')
      notify({ id: msg.id, error })
    })
})
notify({ ready: true })
