import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  AccountDisabledError, BODY_ERRORS, CSRF_ERRORS, EmailNotVerifiedError, MfaRequiredError, PasskeyLoginFailedError, PasskeyRegistrationFailedError, RefreshConflictError, SESSION_ERRORS
} from '../../src/errors.js'
import { AuthModeHeaders, SessionResponse } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, errorSchema, PUBLIC, ref, withStepUp } from '../../src/schemas/common.js'
import { MfaChallengeSchema } from '../../src/schemas/mfa.js'
import {
  EmptyRequestSchema, PasskeyCreationOptionsSchema, PasskeyLoginOptionsSchema, PasskeyLoginRequestSchema, PasskeyRegisterRequestSchema,
  PasskeyResponseSchema
} from '../../src/schemas/passkeys.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

// Clients may POST the options routes without a body; validate an absent body as an empty object.
const optionalBody = async (request: FastifyRequest) => { request.body ??= {} }

/** Adding a passkey: sensitive (the session is checked in the database). */
const register: FastifyPluginAsyncTypebox = async function (fastify) {
  const { passkeyService } = fastify
  fastify.addHook('onRequest', fastify.requireSession)

  fastify.post('/passkeys/register/options', {
    preValidation: optionalBody,
    preHandler: fastify.requireRecentAuthAndVerifiedEmail,
    schema: {
      operationId: 'passkeyRegistrationOptions',
      tags: ['passkeys'],
      summary: 'Start adding a passkey: the creation options for navigator.credentials.create',
      description: 'A discoverable credential (residentKey required), user verification preferred; the caller\'s passkeys are in excludeCredentials. The challenge works once, for 5 minutes. Needs a verified email (AUTH_EMAIL_NOT_VERIFIED) and a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first).',
      security: AUTHENTICATED,
      body: ref(EmptyRequestSchema),
      'x-body-optional': true,
      response: {
        200: { ...ref(PasskeyCreationOptionsSchema), description: 'PublicKeyCredentialCreationOptionsJSON' },
        ...withStepUp(errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, { 403: [EmailNotVerifiedError] }))
      }
    }
  }, async request => passkeyService.registrationOptions(request.user))

  fastify.post('/passkeys/register/verify', {
    config: passwordRouteLimit(fastify.config),
    schema: {
      operationId: 'registerPasskey',
      tags: ['passkeys'],
      summary: 'Finish adding a passkey with the browser\'s answer',
      description: 'AUTH_PASSKEY_FAILED (400): the answer does not verify (challenge unknown, used or expired; another origin or RP id; a bad attestation; a credential registered already). The user gets a mail.',
      security: AUTHENTICATED,
      body: ref(PasskeyRegisterRequestSchema),
      response: {
        201: { ...ref(PasskeyResponseSchema), description: 'Added' },
        ...errorResponses(BODY_ERRORS, SESSION_ERRORS, CSRF_ERRORS, { 400: [PasskeyRegistrationFailedError] })
      }
    }
  }, async (request, reply) => {
    const passkey = await passkeyService.register(request.user, request.body.response, request.body.name, clientMeta(request))
    return reply.code(201).send({ passkey })
  })
}

/** Passwordless sign-in with a passkey (discoverable credentials: no email asked). */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { passkeyService, authService, config } = fastify
  const transport = createTransport(config)

  fastify.post('/passkeys/login/options', {
    config: passwordRouteLimit(config),
    preValidation: optionalBody,
    schema: {
      operationId: 'passkeyLoginOptions',
      tags: ['passkeys'],
      summary: 'Start a sign-in with a passkey: the request options for navigator.credentials.get',
      description: 'No allowCredentials: the browser offers every passkey it holds for this site. The challenge works once, for 5 minutes.',
      security: PUBLIC,
      body: ref(EmptyRequestSchema),
      'x-body-optional': true,
      response: {
        200: { ...ref(PasskeyLoginOptionsSchema), description: 'The options, and the id to send back with the assertion' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS)
      }
    }
  }, async () => passkeyService.loginOptions())

  fastify.post('/passkeys/login/verify', {
    config: passwordRouteLimit(config),
    schema: {
      operationId: 'signInWithPasskey',
      tags: ['passkeys'],
      summary: 'Sign in with a passkey\'s assertion: answers as login does',
      description: 'With user verification (a PIN or biometric on the authenticator) the session is two-factor: amr ["hwk", "user"], aal2, and no code is asked. Without it, a user with an authenticator app gets AUTH_MFA_REQUIRED, as after a password. AUTH_PASSKEY_FAILED: the challenge is unknown, used or expired; the passkey is unknown; another origin or RP id; a bad signature; or a signature counter that went backwards (audited: a possible cloned authenticator).',
      security: PUBLIC,
      headers: AuthModeHeaders,
      body: ref(PasskeyLoginRequestSchema),
      response: {
        200: { ...SessionResponse, description: 'A session started, in the transport of this request' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 403: [AccountDisabledError], 409: [RefreshConflictError] }),
        // AUTH_MFA_REQUIRED: `mfa` holds what verifyMfa needs. No session yet.
        401: errorSchema(401, [PasskeyLoginFailedError, MfaRequiredError], { mfa: Type.Optional(ref(MfaChallengeSchema)) })
      }
    }
  }, async (request, reply) => {
    const meta = clientMeta(request)
    const { userId, userVerified } = await passkeyService.login(request.body.challengeId, request.body.response, meta)
    return transport.send(request, reply, await authService.signInWith(userId, 'hwk', meta, { verified: userVerified }))
  })

  await fastify.register(register)
}

export default routes
