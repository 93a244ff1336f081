import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../src/schemas/common.js'

const Health = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]) })

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/health', {
    schema: {
      tags: ['health'],
      summary: 'Liveness and database reachability',
      response: { 200: Health, 503: Health, ...errorResponses() }
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
