import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  BODY_ERRORS, CSRF_ERRORS, RefreshConflictError, SESSION_ERRORS, SessionNotFoundError, TooManyAttemptsError,
  VALIDATION_ERROR, WrongPasswordError
} from '../../src/errors.js'
import { ChangePasswordRequestSchema, SessionListSchema, SessionParams } from '../../src/schemas/account.js'
import { AUTHENTICATED, errorResponses, ref } from '../../src/schemas/common.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

/** Sensitive session management: every route checks the session against the database. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService, config } = fastify
  const transport = createTransport(config)
  fastify.addHook('onRequest', fastify.requireSession)

  fastify.get('/sessions', {
    schema: {
      operationId: 'listSessions',
      tags: ['sessions'],
      summary: "The caller's sessions (devices)",
      security: AUTHENTICATED,
      response: { 200: { ...ref(SessionListSchema), description: 'The live sessions' }, ...errorResponses(SESSION_ERRORS) }
    }
  }, async request => ({ sessions: await accountService.listSessions(request.user.sub, request.user.sid) }))

  fastify.delete('/sessions/:id', {
    schema: {
      operationId: 'revokeSession',
      tags: ['sessions'],
      summary: "Revoke one of the caller's sessions (log out that device)",
      description: "Revoking the caller's own session also clears its cookies. An id that is not one of the caller's sessions gets 404, whoever's it is.",
      security: AUTHENTICATED,
      params: SessionParams,
      response: {
        204: Type.Null({ description: 'Revoked' }),
        ...errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 400: [VALIDATION_ERROR], 404: [SessionNotFoundError], 409: [RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await accountService.revokeSession(request.user.sub, request.params.id, clientMeta(request))
    if (request.params.id === request.user.sid) transport.clear(reply)
    return reply.code(204).send(null)
  })

  fastify.post('/logout-all', {
    schema: {
      operationId: 'logoutAll',
      tags: ['sessions'],
      summary: 'Revoke every session of the caller, this one included',
      security: AUTHENTICATED,
      response: {
        204: Type.Null({ description: 'Every session revoked; the cookies are cleared' }),
        ...errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 409: [RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await accountService.revokeAllSessions(request.user.sub, clientMeta(request))
    transport.clear(reply)
    return reply.code(204).send(null)
  })

  fastify.post('/password', {
    config: passwordRouteLimit(config),
    schema: {
      operationId: 'changePassword',
      tags: ['account'],
      summary: 'Change password; revokes every other session',
      description: "The current session stays valid; refresh before the next sensitive call (its access token version is outdated). A wrong current password counts toward the account's login lock (LOGIN_MAX_FAILURES); while it is on, the change gets 429 AUTH_TOO_MANY_ATTEMPTS.",
      security: AUTHENTICATED,
      body: ref(ChangePasswordRequestSchema),
      response: {
        204: Type.Null({ description: 'Changed' }),
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, { 401: [WrongPasswordError], 409: [RefreshConflictError], 429: [TooManyAttemptsError] })
      }
    }
  }, async (request, reply) => {
    await accountService.changePassword(request.user, request.body.currentPassword, request.body.newPassword, clientMeta(request))
    return reply.code(204).send(null)
  })
}

export default routes
