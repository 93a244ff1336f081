import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { HealthSchema, ReadinessSchema } from '../src/schemas/account.js'
import { errorResponses, PUBLIC, ref } from '../src/schemas/common.js'

/** Whether the database answers a ping within 2 s. */
async function databaseUp (fastify: FastifyInstance): Promise<boolean> {
  try {
    await fastify.mongo.db?.admin().ping({ maxTimeMS: 2000 })
    if (fastify.mongo.readyState !== 1) throw new Error('not connected')
    return true
  } catch (err) {
    fastify.log.warn({ err }, 'health check: database unreachable')
    return false
  }
}

/** Whether Redis answers a ping; null without REDIS_URL. */
async function redisUp (fastify: FastifyInstance): Promise<boolean | null> {
  if (!fastify.redis) return null
  try {
    return (await fastify.redis.ping()) === 'PONG'
  } catch {
    return false
  }
}

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/health', {
    schema: {
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'Liveness and database reachability',
      description: 'Behind the per-IP limit, as every browser-facing route; orchestrators use /health/live and /health/ready.',
      security: PUBLIC,
      response: {
        200: { ...ref(HealthSchema), description: 'Up, and the database answers' },
        ...errorResponses(),
        503: { ...ref(HealthSchema), description: 'The database is unreachable' }
      }
    }
  }, async (_request, reply) => await databaseUp(fastify) ? { status: 'ok' as const } : reply.code(503).send({ status: 'unavailable' as const }))
}

/**
 * Probes for orchestrators and load balancers: outside the browser-facing hooks, so no per-IP
 * limit ever fails them (every probe comes from one address).
 */
export const probes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/health/live', {
    schema: {
      operationId: 'getLiveness',
      tags: ['health'],
      summary: 'The process runs (touches nothing else)',
      security: PUBLIC,
      response: { 200: { ...ref(HealthSchema), description: 'Alive' }, ...errorResponses() }
    }
  }, function (_request, reply) {
    reply.send({ status: 'ok' })
  })

  fastify.get('/health/ready', {
    schema: {
      operationId: 'getReadiness',
      tags: ['health'],
      summary: 'Ready for traffic: the database answers, and Redis with REDIS_URL',
      security: PUBLIC,
      response: {
        200: { ...ref(ReadinessSchema), description: 'Every dependency answers' },
        ...errorResponses(),
        503: { ...ref(ReadinessSchema), description: 'A dependency is down: `checks` names it' }
      }
    }
  }, async (_request, reply) => {
    const [db, cache] = await Promise.all([databaseUp(fastify), redisUp(fastify)])
    const state = (up: boolean) => up ? 'ok' as const : 'down' as const
    const checks = { database: state(db), ...(cache === null ? {} : { redis: state(cache) }) }
    const ready = db && cache !== false
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks })
  })
}

export default routes
