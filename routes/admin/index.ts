import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  BODY_ERRORS, CSRF_ERRORS, ForbiddenError, LastAdminError, RefreshConflictError, SESSION_ERRORS, UserNotFoundError, VALIDATION_ERROR
} from '../../src/errors.js'
import { AuditPageSchema, AuditQuery, SetRolesRequestSchema, UserPageSchema, UserParams, UserSearchQuery } from '../../src/schemas/account.js'
import { UserResponseSchema } from '../../src/schemas/auth.js'
import { SigningKeyListSchema } from '../../src/schemas/keys.js'
import { AUTHENTICATED, errorResponses, ref } from '../../src/schemas/common.js'

/** Every admin route: the caller's token and session, and the admin role. */
const ADMIN_ERRORS = { ...SESSION_ERRORS, 403: [ForbiddenError] }
/** …and for the routes that change state, the CSRF check too. */
const ADMIN_WRITE_ERRORS = { ...SESSION_ERRORS, 403: [ForbiddenError, ...CSRF_ERRORS[403]] }
const BAD_QUERY = { 400: [VALIDATION_ERROR] }
import { clientMeta } from '../auth/transport.js'

/** Admin only; the session is checked against the database on every call. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService, auditLog, lifecycleService, mfaService, roles } = fastify
  fastify.addHook('onRequest', fastify.authenticate)
  fastify.addHook('onRequest', fastify.requireRole('admin'))
  fastify.addHook('onRequest', fastify.verifySession)

  fastify.get('/users', {
    schema: {
      operationId: 'adminListUsers',
      tags: ['admin'],
      summary: 'List users, oldest first; `email` finds them by the start of their address',
      security: AUTHENTICATED,
      querystring: UserSearchQuery,
      response: { 200: { ...ref(UserPageSchema), description: 'A page of users' }, ...errorResponses(ADMIN_ERRORS, BAD_QUERY) }
    }
  }, async request => {
    const { page, limit, email } = request.query
    return { ...(await lifecycleService.listUsers(page, limit, email)), page, limit }
  })

  fastify.post('/users/:id/disable', {
    schema: {
      operationId: 'adminDisableUser',
      tags: ['admin'],
      summary: 'Disable an account: every session is revoked, and sign-in and refresh answer AUTH_ACCOUNT_DISABLED',
      description: 'Sensitive routes refuse the user\'s access tokens at once; other routes accept them until they expire (ACCESS_TOKEN_EXPIRY). Idempotent. AUTH_LAST_ADMIN (409) for the last active admin.',
      security: AUTHENTICATED,
      params: UserParams,
      response: {
        204: Type.Null({ description: 'Disabled' }),
        ...errorResponses(ADMIN_WRITE_ERRORS, BAD_QUERY, { 404: [UserNotFoundError], 409: [LastAdminError, RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await lifecycleService.disable(request.params.id, clientMeta(request), request.user.sub)
    return reply.code(204).send(null)
  })

  fastify.post('/users/:id/enable', {
    schema: {
      operationId: 'adminEnableUser',
      tags: ['admin'],
      summary: 'Enable a disabled account: the user can sign in again (no session comes back)',
      security: AUTHENTICATED,
      params: UserParams,
      response: {
        204: Type.Null({ description: 'Enabled' }),
        ...errorResponses(ADMIN_WRITE_ERRORS, BAD_QUERY, { 404: [UserNotFoundError], 409: [RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await lifecycleService.enable(request.params.id, clientMeta(request), request.user.sub)
    return reply.code(204).send(null)
  })

  fastify.delete('/users/:id', {
    schema: {
      operationId: 'adminDeleteUser',
      tags: ['admin'],
      summary: 'Delete an account and everything that belongs to it; its address is free again',
      description: 'Removes the user, sessions, authenticators, recovery codes, passkeys, linked identities, pending links and queued mail. The audit events stay, with each address replaced by a keyed hash. AUTH_LAST_ADMIN (409) for the last active admin.',
      security: AUTHENTICATED,
      params: UserParams,
      response: {
        204: Type.Null({ description: 'Deleted' }),
        ...errorResponses(ADMIN_WRITE_ERRORS, BAD_QUERY, { 404: [UserNotFoundError], 409: [LastAdminError, RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await lifecycleService.remove(request.params.id, clientMeta(request), request.user.sub)
    return reply.code(204).send(null)
  })

  fastify.post('/users/:id/revoke-sessions', {
    schema: {
      operationId: 'adminRevokeUserSessions',
      tags: ['admin'],
      summary: 'Revoke every session of a user (and their access tokens on sensitive routes)',
      security: AUTHENTICATED,
      params: UserParams,
      response: {
        204: Type.Null({ description: 'Revoked' }),
        ...errorResponses(ADMIN_WRITE_ERRORS, BAD_QUERY, { 404: [UserNotFoundError], 409: [RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await accountService.revokeAllSessions(request.params.id, clientMeta(request), request.user.sub)
    return reply.code(204).send(null)
  })

  fastify.put('/users/:id/roles', {
    schema: {
      operationId: 'adminSetUserRoles',
      tags: ['admin'],
      summary: "Set a user's roles (`user` is always kept)",
      description: 'Sensitive routes see the change at once; other routes at the user\'s next refresh. Taking `admin` from the last active admin (yourself or another) is AUTH_LAST_ADMIN (409).',
      security: AUTHENTICATED,
      params: UserParams,
      body: ref(SetRolesRequestSchema),
      response: {
        200: { ...ref(UserResponseSchema), description: 'The user with the new roles' },
        ...errorResponses(BODY_ERRORS, ADMIN_WRITE_ERRORS, { 404: [UserNotFoundError], 409: [LastAdminError, RefreshConflictError] })
      }
    }
  }, async request => ({
    user: await roles.setRoles(request.params.id, request.body.roles, clientMeta(request), request.user.sub)
  }))

  fastify.delete('/users/:id/mfa', {
    schema: {
      operationId: 'adminResetMfa',
      tags: ['admin'],
      summary: "Remove a user's authenticators and recovery codes (audited)",
      description: 'For a user who lost both: their next login takes the password alone. They are told by mail.',
      security: AUTHENTICATED,
      params: UserParams,
      response: {
        204: Type.Null({ description: 'Removed' }),
        ...errorResponses(ADMIN_WRITE_ERRORS, BAD_QUERY, { 404: [UserNotFoundError] })
      }
    }
  }, async (request, reply) => {
    await mfaService.reset(request.params.id, request.user.sub, clientMeta(request))
    return reply.code(204).send(null)
  })

  fastify.get('/audit', {
    schema: {
      operationId: 'adminListAuditEvents',
      tags: ['admin'],
      summary: 'Security events, newest first (login, reuse, revocations, password and role changes)',
      security: AUTHENTICATED,
      querystring: AuditQuery,
      response: { 200: { ...ref(AuditPageSchema), description: 'A page of events' }, ...errorResponses(ADMIN_ERRORS, BAD_QUERY) }
    }
  }, async request => {
    const { page, limit, userId } = request.query
    return { ...(await auditLog.list(page, limit, userId)), page, limit }
  })

  fastify.get('/signing-keys', {
    schema: {
      operationId: 'adminListSigningKeys',
      tags: ['admin'],
      summary: 'The access-token signing keys: kid, algorithm, state and dates (never key material)',
      security: AUTHENTICATED,
      response: { 200: { ...ref(SigningKeyListSchema), description: 'Newest first' }, ...errorResponses(ADMIN_ERRORS) }
    }
  }, async () => ({ keys: await fastify.accessTokens.list() }))

  fastify.post('/signing-keys/rotate', {
    schema: {
      operationId: 'adminRotateSigningKeys',
      tags: ['admin'],
      summary: 'Rotate now: next signs from now on, current becomes previous, a new next is published',
      description: 'Tokens already issued keep verifying until they expire: the previous key retires one access-token lifetime plus the JWKS cache time later. Of several instances rotating at once, one does; the answer lists the keys either way. With ACCESS_TOKEN_ALG=HS256 nothing rotates.',
      security: AUTHENTICATED,
      response: { 200: { ...ref(SigningKeyListSchema), description: 'The keys after the rotation' }, ...errorResponses(ADMIN_WRITE_ERRORS) }
    }
  }, async request => {
    if (await fastify.accessTokens.rotate()) {
      await auditLog.record('signing_key.rotated', { actorId: request.user.sub, sessionId: request.user.sid, meta: clientMeta(request) })
    }
    return { keys: await fastify.accessTokens.list() }
  })
}

export default routes
