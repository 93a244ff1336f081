import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  BODY_ERRORS, CSRF_ERRORS, IdentityNotFoundError, InvalidTokenError, LastAdminError, LastLoginMethodError, PasskeyNotFoundError, RefreshConflictError, SESSION_ERRORS,
  TOKEN_ERRORS, TooManyAttemptsError, VALIDATION_ERROR, WrongPasswordError
} from '../../src/errors.js'
import { IdentityListSchema, IdentityParams } from '../../src/schemas/oidc.js'
import { PasskeyListSchema, PasskeyParams, PasskeyRenameRequestSchema, PasskeyResponseSchema } from '../../src/schemas/passkeys.js'
import { AccountExportSchema, DeleteAccountRequestSchema, UpdateProfileRequestSchema } from '../../src/schemas/account.js'
import { AcceptedSchema, ChangeEmailRequestSchema, UserResponseSchema } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, ref, withStepUp } from '../../src/schemas/common.js'
import { clientMeta, createTransport, passwordRouteLimit } from '../auth/transport.js'

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
  await fastify.register(lifecycle)
}

/** Data exports are heavy reads: a few per minute per client, a budget of their own. */
const EXPORT_LIMIT = { rateBudget: { id: 'account-export', max: 5 } }

/** The user's own profile, data and account: sensitive (the session is checked in the database). */
const lifecycle: FastifyPluginAsyncTypebox = async function (fastify) {
  const { lifecycleService, config } = fastify
  const transport = createTransport(config)
  fastify.addHook('onRequest', fastify.verifySession)

  fastify.patch('/me', {
    schema: {
      operationId: 'updateProfile',
      tags: ['users'],
      summary: 'Change the display name',
      security: AUTHENTICATED,
      body: ref(UpdateProfileRequestSchema),
      response: {
        200: { ...ref(UserResponseSchema), description: 'The user with the new name' },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, { 409: [RefreshConflictError] })
      }
    }
  }, async request => ({ user: await lifecycleService.rename(request.user, request.body.name.trim(), clientMeta(request)) }))

  fastify.get('/me/export', {
    config: EXPORT_LIMIT,
    schema: {
      operationId: 'exportAccount',
      tags: ['users'],
      summary: 'Download everything the server holds about the caller, as a JSON file',
      description: 'The profile, sessions, linked identities, second factors and passkeys (metadata only) and the caller\'s audit events. Never a password hash, token, token hash, TOTP secret, recovery code or its hash, passkey public key or one-time link. Five per minute per client.',
      security: AUTHENTICATED,
      response: {
        200: { ...ref(AccountExportSchema), description: 'An attachment: account-export.json' },
        ...errorResponses(SESSION_ERRORS)
      }
    }
  }, async (request, reply) => {
    reply.header('content-disposition', 'attachment; filename="account-export.json"')
    return lifecycleService.exportData(request.user, clientMeta(request))
  })

  fastify.post('/me/delete', {
    config: passwordRouteLimit(config),
    schema: {
      operationId: 'deleteAccount',
      tags: ['users'],
      summary: 'Delete the caller\'s account and everything that belongs to it',
      description: 'Needs a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first), or the current password in the body (a wrong one counts toward the login lock). With a second factor, the session must be aal2. The cookies are cleared, and the old address gets a notice. The last active admin cannot delete their account (AUTH_LAST_ADMIN).',
      security: AUTHENTICATED,
      body: ref(DeleteAccountRequestSchema),
      response: {
        204: Type.Null({ description: 'Deleted; signed out everywhere' }),
        ...withStepUp(errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, {
          401: [WrongPasswordError],
          409: [LastAdminError, RefreshConflictError],
          429: [TooManyAttemptsError]
        }))
      }
    }
  }, async (request, reply) => {
    await lifecycleService.deleteOwn(request.user, request.body.password, clientMeta(request))
    transport.clear(reply)
    return reply.code(204).send(null)
  })
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
    preHandler: fastify.requireRecentAuth,
    schema: {
      operationId: 'unlinkIdentity',
      tags: ['oidc'],
      summary: 'Unlink a provider account',
      description: 'Needs a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first). AUTH_LAST_LOGIN_METHOD (409) when the caller would have no way left to sign in: no password and no other identity. A user without a password gets one through forgotPassword and resetPassword.',
      security: AUTHENTICATED,
      params: IdentityParams,
      response: {
        204: Type.Null({ description: 'Unlinked: that provider account no longer signs in here' }),
        ...withStepUp(errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 400: [VALIDATION_ERROR], 404: [IdentityNotFoundError], 409: [LastLoginMethodError] }))
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
    preHandler: fastify.requireRecentAuth,
    schema: {
      operationId: 'removePasskey',
      tags: ['passkeys'],
      summary: 'Remove a passkey',
      description: 'Needs a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first). AUTH_LAST_LOGIN_METHOD (409) when the caller would have no way left to sign in: no password, no linked identity, no other passkey. The browser may still offer the removed passkey; it no longer signs in.',
      security: AUTHENTICATED,
      params: PasskeyParams,
      response: {
        204: Type.Null({ description: 'Removed' }),
        ...withStepUp(errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 400: [VALIDATION_ERROR], 404: [PasskeyNotFoundError], 409: [LastLoginMethodError] }))
      }
    }
  }, async (request, reply) => {
    await passkeyService.remove(request.user.sub, request.params.id, clientMeta(request))
    return reply.code(204).send(null)
  })
}

export default routes
