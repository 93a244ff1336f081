import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthSchema } from '../src/schemas/account.js'
import { errorResponses, PUBLIC, ref } from '../src/schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/health', {
    schema: {
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'Liveness and database reachability',
      security: PUBLIC,
      response: {
        200: { ...ref(HealthSchema), description: 'Up, and the database answers' },
        ...errorResponses(),
        503: { ...ref(HealthSchema), description: 'The database is unreachable' }
      }
    }
  }, async (request, reply) => {
    try {
      await fastify.mongo.db?.admin().ping({ maxTimeMS: 2000 })
      if (fastify.mongo.readyState !== 1) throw new Error('not connected')
      return { status: 'ok' as const }
    } catch (err) {
      request.log.warn({ err }, 'health check: database unreachable')
      return reply.code(503).send({ status: 'unavailable' as const })
    }
  })
}

export default routes
