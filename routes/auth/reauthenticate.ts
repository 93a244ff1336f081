import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import {
  AccountDisabledError, BODY_ERRORS, ReauthInputError, CSRF_ERRORS, MfaCodeInvalidError, MfaNotEnabledError, PasskeyLoginFailedError, RefreshConflictError, SESSION_ERRORS,
  TooManyAttemptsError, WrongPasswordError
} from '../../src/errors.js'
import { AuthModeHeaders, SessionResponse } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, ref } from '../../src/schemas/common.js'
import { EmptyRequestSchema, PasskeyLoginOptionsSchema, PasskeyLoginRequestSchema } from '../../src/schemas/passkeys.js'
import { ReauthenticateRequestSchema } from '../../src/schemas/reauth.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

const RENEWED = 'The same session, authenticated now: new tokens (the refresh token rotates) whose auth_time is now, in the transport of this request'
// Clients may POST the options route without a body; validate an absent body as an empty object.
const optionalBody = async (request: FastifyRequest) => { request.body ??= {} }

/**
 * Proving again that it is you, without starting a new session: what AUTH_STEP_UP_REQUIRED asks
 * for before adding or removing a way to sign in, or deleting the account.
 */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { reauthentication, config } = fastify
  const transport = createTransport(config)
  const strict = passwordRouteLimit(config)
  fastify.addHook('onRequest', fastify.requireSession)

  fastify.post('/reauthenticate', {
    config: strict,
    schema: {
      operationId: 'reauthenticate',
      tags: ['auth'],
      summary: 'Re-authenticate the session with the password or a code',
      description: 'With `password` (a wrong one counts toward the login lock) or `code`, from the authenticator app or a recovery code (a wrong one counts toward the second-factor lock; a recovery code is spent, and a code makes the session two-factor). For REAUTHENTICATION_WINDOW afterwards the session may add or remove ways to sign in and delete the account.',
      security: AUTHENTICATED,
      headers: AuthModeHeaders,
      body: ref(ReauthenticateRequestSchema),
      response: {
        200: { ...SessionResponse, description: RENEWED },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, {
          401: [WrongPasswordError, MfaCodeInvalidError],
          403: [AccountDisabledError],
          409: [MfaNotEnabledError, RefreshConflictError],
          429: [TooManyAttemptsError]
        })
      }
    }
  }, async (request, reply) => {
    const { password, code } = request.body
    const meta = clientMeta(request)
    // The schema says so too, but an unknown property is dropped before it could count.
    if ((password === undefined) === (code === undefined)) throw new ReauthInputError()
    const result = password !== undefined
      ? await reauthentication.withPassword(request.user, password, meta)
      : await reauthentication.withCode(request.user, code!, meta)
    return transport.send(request, reply, result)
  })

  fastify.post('/reauthenticate/passkey/options', {
    config: strict,
    preValidation: optionalBody,
    schema: {
      operationId: 'reauthenticatePasskeyOptions',
      tags: ['auth'],
      summary: 'Start re-authenticating with a passkey: request options for navigator.credentials.get',
      description: "allowCredentials lists the caller's passkeys. The challenge works once, for 5 minutes.",
      security: AUTHENTICATED,
      body: ref(EmptyRequestSchema),
      'x-body-optional': true,
      response: {
        200: { ...ref(PasskeyLoginOptionsSchema), description: 'The options, and the id to send back with the assertion' },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS)
      }
    }
  }, async request => reauthentication.passkeyOptions(request.user))

  fastify.post('/reauthenticate/passkey/verify', {
    config: strict,
    schema: {
      operationId: 'reauthenticatePasskey',
      tags: ['auth'],
      summary: "Re-authenticate the session with a passkey's assertion",
      description: "AUTH_PASSKEY_FAILED (401): the assertion does not verify, or the passkey is not the caller's.",
      security: AUTHENTICATED,
      headers: AuthModeHeaders,
      body: ref(PasskeyLoginRequestSchema),
      response: {
        200: { ...SessionResponse, description: RENEWED },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, {
          401: [PasskeyLoginFailedError],
          403: [AccountDisabledError],
          409: [RefreshConflictError]
        })
      }
    }
  }, async (request, reply) => {
    const result = await reauthentication.withPasskey(request.user, request.body.challengeId, request.body.response, clientMeta(request))
    return transport.send(request, reply, result)
  })
}

export default routes
