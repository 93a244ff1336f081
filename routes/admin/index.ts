import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AuditPage, AuditQuery, Pagination, RolesBody, UserPage, UserParams } from '../../src/schemas/account.js'
import { UserBody } from '../../src/schemas/auth.js'
import { AUTHENTICATED, BODY_ERRORS, errorResponses } from '../../src/schemas/common.js'
import { clientMeta } from '../auth/transport.js'

/** Admin only; the session is checked against the database on every call. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService, auditLog } = fastify
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
    await accountService.revokeAllSessions(request.params.id, clientMeta(request), request.user.sub)
    return reply.code(204).send(null)
  })

  fastify.put('/users/:id/roles', {
    schema: {
      tags: ['admin'],
      summary: "Set a user's roles (`user` is always kept)",
      description: 'Sensitive routes see the change at once; other routes at the user\'s next refresh.',
      security: AUTHENTICATED,
      params: UserParams,
      body: RolesBody,
      response: { 200: UserBody, ...errorResponses(...BODY_ERRORS, 401, 403, 404) }
    }
  }, async request => ({
    user: await accountService.setRoles(request.params.id, request.body.roles, clientMeta(request), request.user.sub)
  }))

  fastify.get('/audit', {
    schema: {
      tags: ['admin'],
      summary: 'Security events, newest first (login, reuse, revocations, password and role changes)',
      security: AUTHENTICATED,
      querystring: AuditQuery,
      response: { 200: AuditPage, ...errorResponses(400, 401, 403) }
    }
  }, async request => {
    const { page, limit, userId } = request.query
    return { ...(await auditLog.list(page, limit, userId)), page, limit }
  })
}

export default routes
