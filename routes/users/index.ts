import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  BODY_ERRORS, CSRF_ERRORS, IdentityNotFoundError, InvalidTokenError, LastLoginMethodError, PasskeyNotFoundError, SESSION_ERRORS, TOKEN_ERRORS, TooManyAttemptsError,
  VALIDATION_ERROR, WrongPasswordError
} from '../../src/errors.js'
import { IdentityListSchema, IdentityParams } from '../../src/schemas/oidc.js'
import { PasskeyListSchema, PasskeyParams, PasskeyRenameRequestSchema, PasskeyResponseSchema } from '../../src/schemas/passkeys.js'
import { AcceptedSchema, ChangeEmailRequestSchema, UserResponseSchema } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, ref } from '../../src/schemas/common.js'
import { clientMeta, passwordRouteLimit } from '../auth/transport.js'

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService, emailService, config } = fastify
  fastify.addHook('onRequest', fastify.authenticate)

  fastify.get('/me', {
    schema: {
      operationId: 'getCurrentUser',
      tags: ['users'],
      summary: 'The authenticated user',
      security: AUTHENTICATED,
      response: { 200: { ...ref(UserResponseSchema), description: 'The user' }, ...errorResponses(TOKEN_ERRORS) }
    }
  }, async (request) => {
    const user = await accountService.getUser(request.user.sub)
    // A valid token for a deleted account is no longer a valid credential.
    if (!user) throw new InvalidTokenError()
    return { user }
  })

  fastify.post('/me/email', {
    onRequest: fastify.verifySession,
    config: passwordRouteLimit(config),
    schema: {
      operationId: 'changeEmail',
      tags: ['account'],
      summary: 'Change the email address: mails a confirmation link to the new one',
      description: 'The address changes when the link (`PUBLIC_URL/verify-email#token=…`) is used with verifyEmail; the old address gets a notice. Always 202 once the password is right, even when the new address is taken (that address gets a mail saying so, and nothing changes). A wrong password counts toward the login lock.',
      security: AUTHENTICATED,
      body: ref(ChangeEmailRequestSchema),
      response: {
        202: { ...ref(AcceptedSchema), description: 'Accepted; the mails go out' },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, { 401: [WrongPasswordError], 429: [TooManyAttemptsError] })
      }
    }
  }, async (request, reply) => {
    await emailService.requestEmailChange(request.user, request.body.newEmail, request.body.password, clientMeta(request))
    return reply.code(202).send({})
  })

  await fastify.register(credentials)
}

/** Ways to sign in, linked provider accounts and passkeys: sensitive (the session is checked in the database). */
const credentials: FastifyPluginAsyncTypebox = async function (fastify) {
  const { oidcService, passkeyService } = fastify
  fastify.addHook('onRequest', fastify.verifySession)

  fastify.get('/me/identities', {
    schema: {
      operationId: 'listIdentities',
      tags: ['oidc'],
      summary: 'The provider accounts linked to the caller',
      security: AUTHENTICATED,
      response: { 200: { ...ref(IdentityListSchema), description: 'Linked identities, oldest first' }, ...errorResponses(SESSION_ERRORS) }
    }
  }, async request => ({ identities: await oidcService.list(request.user.sub) }))

  fastify.delete('/me/identities/:id', {
    schema: {
      operationId: 'unlinkIdentity',
      tags: ['oidc'],
      summary: 'Unlink a provider account',
      description: 'AUTH_LAST_LOGIN_METHOD (409) when the caller would have no way left to sign in: no password and no other identity. A user without a password gets one through forgotPassword and resetPassword.',
      security: AUTHENTICATED,
      params: IdentityParams,
      response: {
        204: Type.Null({ description: 'Unlinked: that provider account no longer signs in here' }),
        ...errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 400: [VALIDATION_ERROR], 404: [IdentityNotFoundError], 409: [LastLoginMethodError] })
      }
    }
  }, async (request, reply) => {
    await oidcService.unlink(request.user.sub, request.params.id, clientMeta(request))
    return reply.code(204).send(null)
  })

  fastify.get('/me/passkeys', {
    schema: {
      operationId: 'listPasskeys',
      tags: ['passkeys'],
      summary: "The caller's passkeys",
      security: AUTHENTICATED,
      response: { 200: { ...ref(PasskeyListSchema), description: 'Passkeys, oldest first' }, ...errorResponses(SESSION_ERRORS) }
    }
  }, async request => ({ passkeys: await passkeyService.list(request.user.sub) }))

  fastify.patch('/me/passkeys/:id', {
    schema: {
      operationId: 'renamePasskey',
      tags: ['passkeys'],
      summary: 'Rename a passkey',
      security: AUTHENTICATED,
      params: PasskeyParams,
      body: ref(PasskeyRenameRequestSchema),
      response: {
        200: { ...ref(PasskeyResponseSchema), description: 'Renamed' },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, { 404: [PasskeyNotFoundError] })
      }
    }
  }, async request => ({ passkey: await passkeyService.rename(request.user.sub, request.params.id, request.body.name) }))

  fastify.delete('/me/passkeys/:id', {
    schema: {
      operationId: 'removePasskey',
      tags: ['passkeys'],
      summary: 'Remove a passkey',
      description: 'AUTH_LAST_LOGIN_METHOD (409) when the caller would have no way left to sign in: no password, no linked identity, no other passkey. The browser may still offer the removed passkey; it no longer signs in.',
      security: AUTHENTICATED,
      params: PasskeyParams,
      response: {
        204: Type.Null({ description: 'Removed' }),
        ...errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 400: [VALIDATION_ERROR], 404: [PasskeyNotFoundError], 409: [LastLoginMethodError] })
      }
    }
  }, async (request, reply) => {
    await passkeyService.remove(request.user.sub, request.params.id, clientMeta(request))
    return reply.code(204).send(null)
  })
}

export default routes
