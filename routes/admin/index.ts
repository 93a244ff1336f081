import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Pagination, UserPage, UserParams } from '../../src/schemas/account.js'
import { AUTHENTICATED, errorResponses } from '../../src/schemas/common.js'

/** Admin only; the session is checked against the database on every call. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService } = fastify
  fastify.addHook('onRequest', fastify.authenticate)
  fastify.addHook('onRequest', fastify.requireRole('admin'))
  fastify.addHook('onRequest', fastify.verifySession)

  fastify.get('/users', {
    schema: {
      tags: ['admin'],
      summary: 'List users, oldest first',
      security: AUTHENTICATED,
      querystring: Pagination,
      response: { 200: UserPage, ...errorResponses(400, 401, 403) }
    }
  }, async request => {
    const { page, limit } = request.query
    return { ...(await accountService.listUsers(page, limit)), page, limit }
  })

  fastify.post('/users/:id/revoke-sessions', {
    schema: {
      tags: ['admin'],
      summary: 'Revoke every session of a user (and their access tokens on sensitive routes)',
      security: AUTHENTICATED,
      params: UserParams,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    await accountService.revokeAllSessions(request.params.id)
    return reply.code(204).send(null)
  })
}

export default routes
