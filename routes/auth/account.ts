import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ChangePasswordBody, SessionList, SessionParams } from '../../src/schemas/account.js'
import { AUTHENTICATED, BODY_ERRORS, errorResponses } from '../../src/schemas/common.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

/** Sensitive session management: every route checks the session against the database. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService, config } = fastify
  const transport = createTransport(config)
  fastify.addHook('onRequest', fastify.authenticate)
  fastify.addHook('onRequest', fastify.verifySession)

  fastify.get('/sessions', {
    schema: {
      tags: ['sessions'],
      summary: "The caller's sessions (devices), most recently used first",
      security: AUTHENTICATED,
      response: { 200: SessionList, ...errorResponses(401) }
    }
  }, async request => ({ sessions: await accountService.listSessions(request.user.sub, request.user.sid) }))

  fastify.delete('/sessions/:id', {
    schema: {
      tags: ['sessions'],
      summary: 'Revoke one of the caller\'s sessions (log out that device)',
      security: AUTHENTICATED,
      params: SessionParams,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 404) }
    }
  }, async (request, reply) => {
    await accountService.revokeSession(request.user.sub, request.params.id, clientMeta(request))
    if (request.params.id === request.user.sid) transport.clear(reply)
    return reply.code(204).send(null)
  })

  fastify.post('/logout-all', {
    schema: {
      tags: ['sessions'],
      summary: 'Revoke every session of the caller, this one included',
      security: AUTHENTICATED,
      response: { 204: Type.Null(), ...errorResponses(401) }
    }
  }, async (request, reply) => {
    await accountService.revokeAllSessions(request.user.sub, clientMeta(request))
    transport.clear(reply)
    return reply.code(204).send(null)
  })

  fastify.post('/password', {
    config: passwordRouteLimit(config),
    schema: {
      tags: ['account'],
      summary: 'Change password; revokes every other session',
      description: 'The current session stays valid; refresh before the next sensitive call (its access token version is outdated). A wrong current password counts toward the account\'s login lock (LOGIN_MAX_FAILURES); while it is on, the change gets 429 AUTH_TOO_MANY_ATTEMPTS.',
      security: AUTHENTICATED,
      body: ChangePasswordBody,
      response: { 204: Type.Null(), ...errorResponses(...BODY_ERRORS, 401) }
    }
  }, async (request, reply) => {
    await accountService.changePassword(request.user, request.body.currentPassword, request.body.newPassword, clientMeta(request))
    return reply.code(204).send(null)
  })
}

export default routes
