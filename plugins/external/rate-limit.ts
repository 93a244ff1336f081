import fastifyRateLimit from '@fastify/rate-limit'
import { format } from '@lukeed/ms'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { RateLimitedError } from '../../src/errors.js'

/** A budget per IP and minute that some routes share, besides the per-IP limit of every route. */
export interface RateBudget {
  id: string
  max: number
  /** The variable that sets `max`, named in development's 429s. */
  setting?: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route also counts against this budget. */
    rateBudget?: RateBudget
  }
}

/** The routes that take a password or a code share one budget per IP (AUTH_RATE_LIMIT_MAX). */
export const AUTH_GROUP = 'auth-routes'

type Counted = (err: Error | null, res: { current: number, ttl: number }) => void

/**
 * @fastify/rate-limit's in-memory store keeps a table per route, so a `groupId` could not make
 * routes share a budget. This one keeps one table for all: a key is the IP (the global budget)
 * or the IP and a group (the auth routes' budget), and fixed one-minute windows, as the default.
 */
class SharedMemoryStore {
  private readonly windows = new LRUCache<string, { current: number, startMs: number }>({ max: 50_000 })

  incr (key: string, cb: Counted, timeWindow: number): void {
    const now = Date.now()
    let window = this.windows.get(key)
    if (!window || window.startMs + timeWindow <= now) {
      window = { current: 0, startMs: now }
      this.windows.set(key, window)
    }
    window.current++
    cb(null, { current: window.current, ttl: timeWindow - (now - window.startMs) })
  }

  child (): SharedMemoryStore {
    return this
  }
}

/** The same fixed windows in Redis, shared by every instance: INCR, and the expiry on the first. */
const WINDOW_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { current, redis.call('PTTL', KEYS[1]) }`

function sharedRedisStore (redis: Redis) {
  redis.defineCommand('authServerWindow', { numberOfKeys: 1, lua: WINDOW_SCRIPT })
  const run = (redis as unknown as { authServerWindow: (key: string, ms: number) => Promise<[number, number]> }).authServerWindow.bind(redis)
  return class SharedRedisStore {
    incr (key: string, cb: Counted, timeWindow: number): void {
      run(`rate-limit:${key}`, timeWindow).then(([current, ttl]) => cb(null, { current, ttl }), (err: Error) => cb(err, { current: 0, ttl: 0 }))
    }

    child (): SharedRedisStore {
      return this
    }
  }
}

/**
 * Per IP, per minute: RATE_LIMIT_MAX requests to the browser-facing routes, and besides that a
 * route's `rateBudget`: AUTH_RATE_LIMIT_MAX to the auth routes taken together (login, register,
 * the second step, passkey and provider sign-ins, password and email changes, resets). Both are
 * counted by one hook of the browser-facing context, before the CSRF check and before any
 * route's token check: a refused request counts, and an address over its budget gets 429
 * whatever else is wrong with its request. Routes outside that context (/auth/verify, the JWKS,
 * the probes, /metrics) are not limited. Behind a proxy, set TRUST_PROXY so the client IP (not
 * the proxy's) is the key. Counted in this process, or with REDIS_URL in Redis, across instances.
 * @see https://github.com/fastify/fastify-rate-limit
 */
export default fp(async function rateLimit (fastify) {
  // In development one person tries every flow from one address: the 429 says what to raise.
  const development = fastify.config.NODE_ENV !== 'production'
  const limited = (after: string, setting?: string) => {
    const error = new RateLimitedError(after)
    if (development && setting) error.message += ` (development: raise ${setting} to allow more per minute)`
    return error
  }
  await fastify.register(fastifyRateLimit, {
    // No per-route hooks: those would run after the context's hooks (CSRF, authentication).
    global: false,
    max: fastify.config.RATE_LIMIT_MAX,
    timeWindow: '1 minute',
    // With REDIS_URL the counts hold across instances; while Redis is away, requests pass.
    store: fastify.redis ? sharedRedisStore(fastify.redis) : SharedMemoryStore,
    skipOnError: true,
    errorResponseBuilder: (_request, context) => limited(context.after, 'RATE_LIMIT_MAX')
  })
  const perIp = fastify.rateLimit()
  const budgets = new Map<string, ReturnType<typeof fastify.createRateLimit>>()
  const counterOf = (budget: RateBudget) => {
    let counter = budgets.get(budget.id)
    if (!counter) {
      counter = fastify.createRateLimit({ max: budget.max, keyGenerator: (request: FastifyRequest) => `${request.ip}|${budget.id}` })
      budgets.set(budget.id, counter)
    }
    return counter
  }
  fastify.addHook('onRequest', async (request, reply) => {
    await perIp.call(fastify, request, reply)
    const budget = request.routeOptions.config.rateBudget
    if (!budget) return
    const counted = await counterOf(budget)(request)
    if (counted.isAllowed || !counted.isExceeded) return
    reply.header('retry-after', String(counted.ttlInSeconds))
    throw limited(format(counted.ttlInSeconds * 1000, true), budget.setting)
  })
}, { name: 'rate-limit', dependencies: ['config', 'redis'] })
