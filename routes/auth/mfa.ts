import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  AccountDisabledError, BODY_ERRORS, CSRF_ERRORS, EmailNotVerifiedError, MfaAlreadyEnabledError, MfaChallengeInvalidError, MfaCodeInvalidError, MfaFactorNotFoundError,
  MfaNotEnabledError, RefreshConflictError, SESSION_ERRORS, TooManyAttemptsError, VALIDATION_ERROR
} from '../../src/errors.js'
import { AuthModeHeaders, SessionResponse } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, errorSchema, PUBLIC, ref, withStepUp } from '../../src/schemas/common.js'
import {
  FactorParams, MfaCodeRequestSchema, MfaStatusSchema, MfaVerifyRequestSchema, RecoveryCodesSchema, TotpEnrolmentSchema
} from '../../src/schemas/mfa.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

/** A wrong code counts toward the account's second-factor lock (429 while it is on). */
const CODE_ERRORS = { ...SESSION_ERRORS, 401: [...SESSION_ERRORS[401], MfaCodeInvalidError], 429: [TooManyAttemptsError] }

/** Enrolment and management of authenticators: sensitive (the session is checked in the database). */
const manage: FastifyPluginAsyncTypebox = async function (fastify) {
  const { mfaService } = fastify
  const strict = passwordRouteLimit(fastify.config)
  fastify.addHook('onRequest', fastify.requireSession)

  fastify.post('/mfa/totp', {
    preHandler: fastify.requireRecentAuthAndVerifiedEmail,
    schema: {
      operationId: 'enrolTotp',
      tags: ['mfa'],
      summary: 'Start adding an authenticator app (TOTP)',
      description: 'Returns the secret and its otpauth:// URI (show it as a QR code). The authenticator stays pending until activateTotp, for 10 minutes. Needs a verified email (AUTH_EMAIL_NOT_VERIFIED) and a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first).',
      security: AUTHENTICATED,
      response: {
        201: { ...ref(TotpEnrolmentSchema), description: 'A pending authenticator' },
        ...withStepUp(errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 403: [EmailNotVerifiedError], 409: [MfaAlreadyEnabledError] }))
      }
    }
  }, async (request, reply) => reply.code(201).send(await mfaService.enrol(request.user)))

  fastify.post('/mfa/totp/:factorId/activate', {
    config: strict,
    schema: {
      operationId: 'activateTotp',
      tags: ['mfa'],
      summary: 'Activate the authenticator with a first code; returns the recovery codes, once',
      description: 'This session becomes two-factor (its next refresh carries aal2); every other session is revoked. The code is spent: it cannot also finish a login.',
      security: AUTHENTICATED,
      params: FactorParams,
      body: ref(MfaCodeRequestSchema),
      response: {
        200: { ...ref(RecoveryCodesSchema), description: 'Active; the recovery codes, shown this once' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, CODE_ERRORS, { 404: [MfaFactorNotFoundError], 409: [MfaAlreadyEnabledError, RefreshConflictError] })
      }
    }
  }, async request => ({ recoveryCodes: await mfaService.activate(request.user, request.params.factorId, request.body.code, clientMeta(request)) }))

  fastify.get('/mfa', {
    schema: {
      operationId: 'getMfaStatus',
      tags: ['mfa'],
      summary: "The caller's authenticators and how many recovery codes are left",
      security: AUTHENTICATED,
      response: { 200: { ...ref(MfaStatusSchema), description: 'The second factors' }, ...errorResponses(SESSION_ERRORS) }
    }
  }, async request => mfaService.status(request.user.sub))

  fastify.delete('/mfa/totp/:factorId', {
    config: strict,
    preHandler: fastify.requireRecentAuth,
    schema: {
      operationId: 'removeTotp',
      tags: ['mfa'],
      summary: 'Remove the authenticator (and the recovery codes), with a current code',
      description: 'Needs a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first).',
      security: AUTHENTICATED,
      params: FactorParams,
      body: ref(MfaCodeRequestSchema),
      response: {
        204: Type.Null({ description: 'Removed: logins take the password alone again' }),
        ...withStepUp(errorResponses(BODY_ERRORS, CSRF_ERRORS, CODE_ERRORS, { 404: [MfaFactorNotFoundError] }))
      }
    }
  }, async (request, reply) => {
    await mfaService.disable(request.user, request.params.factorId, request.body.code, clientMeta(request))
    return reply.code(204).send(null)
  })

  fastify.post('/mfa/recovery-codes', {
    config: strict,
    preHandler: fastify.requireRecentAuth,
    schema: {
      operationId: 'replaceRecoveryCodes',
      tags: ['mfa'],
      summary: 'Replace the recovery codes, with a current code; the old ones stop working',
      description: 'Needs a recent authentication (AUTH_STEP_UP_REQUIRED: reauthenticate first).',
      security: AUTHENTICATED,
      body: ref(MfaCodeRequestSchema),
      response: {
        200: { ...ref(RecoveryCodesSchema), description: 'The new codes, shown this once' },
        ...withStepUp(errorResponses(BODY_ERRORS, CSRF_ERRORS, CODE_ERRORS, { 409: [MfaNotEnabledError] }))
      }
    }
  }, async request => ({ recoveryCodes: await mfaService.regenerateRecoveryCodes(request.user, request.body.code, clientMeta(request)) }))
}

/** The second step of a login, and the authenticated routes above. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { authService, config } = fastify
  const transport = createTransport(config)

  fastify.post('/mfa/verify', {
    config: passwordRouteLimit(config),
    schema: {
      operationId: 'verifyMfa',
      tags: ['mfa'],
      summary: 'Finish a login with a second factor: answers as login does',
      description: 'With the `mfa.token` of the AUTH_MFA_REQUIRED answer and a code (authenticator or recovery). After a provider sign-in (oidcCallback with mfa=required) the challenge is in an HttpOnly cookie instead: send the code alone. A wrong code, or one already accepted (the same or an earlier time step), is AUTH_MFA_CODE_INVALID; a challenge that expired (5 min), was used, had 5 wrong codes, or whose account credentials changed since the first step (a password reset or change, logging out everywhere, disabling) is AUTH_MFA_CHALLENGE_INVALID. The session is aal2, amr [pwd, otp] (or [oauth, otp] after a provider).',
      security: PUBLIC,
      headers: AuthModeHeaders,
      body: ref(MfaVerifyRequestSchema),
      response: {
        200: { ...SessionResponse, description: 'A session started, in the transport of this request' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 400: [VALIDATION_ERROR], 403: [AccountDisabledError], 409: [RefreshConflictError], 429: [TooManyAttemptsError] }),
        401: errorSchema(401, [MfaCodeInvalidError, MfaChallengeInvalidError])
      }
    }
  }, async (request, reply) => {
    const token = request.body.mfaToken ?? transport.mfaChallenge(request)
    if (token === undefined) throw new MfaChallengeInvalidError()
    const result = await authService.completeMfaLogin(token, request.body.code, clientMeta(request))
    transport.clearMfaChallenge(reply)
    return transport.send(request, reply, result)
  })

  await fastify.register(manage)
}

export default routes
