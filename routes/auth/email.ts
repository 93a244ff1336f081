import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  BODY_ERRORS, CSRF_ERRORS, EmailTakenError, OneTimeTokenInvalidError, RefreshConflictError, ServiceUnavailableError, TOKEN_ERRORS
} from '../../src/errors.js'
import {
  AcceptedSchema, ForgotPasswordRequestSchema, ResetPasswordRequestSchema, UserResponseSchema, VerifyEmailRequestSchema
} from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, PUBLIC, ref } from '../../src/schemas/common.js'
import { clientMeta, passwordRouteLimit } from './transport.js'

const ACCEPTED = { ...ref(AcceptedSchema), description: 'Accepted; a mail goes out if one should' }

/** Password reset and email verification: links sent by mail, used by a POST (never a GET). */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { emailService, config } = fastify
  const strict = passwordRouteLimit(config)

  fastify.post('/password/forgot', {
    config: strict,
    schema: {
      operationId: 'forgotPassword',
      tags: ['account'],
      summary: 'Mail a password-reset link',
      description: 'Always 202, for a known address, an unknown one (no mail), or one that got a mail less than a minute ago or five this hour (no mail either). The link is `PUBLIC_URL/reset-password#token=…`, valid for RESET_TOKEN_TTL.',
      security: PUBLIC,
      body: ref(ForgotPasswordRequestSchema),
      response: { 202: ACCEPTED, ...errorResponses(BODY_ERRORS, CSRF_ERRORS) }
    }
  }, async (request, reply) => {
    // The database must be reachable (else 503), but nothing about the address is looked up before the 202.
    if (fastify.mongo.readyState !== 1) throw new ServiceUnavailableError()
    emailService.forgotPassword(request.body.email, clientMeta(request))
    return reply.code(202).send({})
  })

  fastify.post('/password/reset', {
    config: strict,
    schema: {
      operationId: 'resetPassword',
      tags: ['account'],
      summary: 'Set a new password with a reset token',
      description: 'Revokes every session, lifts the login lock and voids every other token of the account. Logs nobody in: log in with the new password. An unknown, used, expired or voided token is AUTH_ONE_TIME_TOKEN_INVALID, whichever it is.',
      security: PUBLIC,
      body: ref(ResetPasswordRequestSchema),
      response: {
        204: Type.Null({ description: 'The password is changed' }),
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 400: [OneTimeTokenInvalidError], 409: [RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    await emailService.resetPassword(request.body.token, request.body.newPassword, clientMeta(request))
    return reply.code(204).send(null)
  })

  fastify.post('/email/verify', {
    schema: {
      operationId: 'verifyEmail',
      tags: ['account'],
      summary: 'Prove an address with the token of a verification or email-change mail',
      description: 'For an email change, this is when the address changes. Starts no session. An ADMIN_EMAILS address gets the admin role only when its verification link is used signed in to that account (or by a password reset, or a provider sign-in asserting it): opened signed out, the link verifies the address and grants nothing.',
      security: PUBLIC,
      body: ref(VerifyEmailRequestSchema),
      response: {
        200: { ...ref(UserResponseSchema), description: 'The user, with `emailVerified: true`' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 400: [OneTimeTokenInvalidError], 409: [EmailTakenError, RefreshConflictError] })
      }
    }
  }, async (request, reply) => {
    // Signed in (a live session of the link's account) or not: only the former gets a role.
    const signedIn = await fastify.requireSession(request, reply).then(() => true, () => false)
    return { user: await emailService.verifyEmail(request.body.token, clientMeta(request), signedIn ? request.user.sub : undefined) }
  })

  fastify.post('/email/verification', {
    onRequest: fastify.authenticate,
    schema: {
      operationId: 'resendVerificationEmail',
      tags: ['account'],
      summary: 'Mail the verification link again',
      description: 'Always 202: no mail for a verified address, or within a minute of the last one.',
      security: AUTHENTICATED,
      response: { 202: ACCEPTED, ...errorResponses(TOKEN_ERRORS, CSRF_ERRORS) }
    }
  }, async (request, reply) => {
    await emailService.resendVerification(request.user.sub)
    return reply.code(202).send({})
  })
}

export default routes
