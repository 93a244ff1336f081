import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  AccountDisabledError, AmbiguousCredentialsError, BODY_ERRORS, CSRF_ERRORS, EmailNotVerifiedError, EmailTakenError, InvalidCredentialsError,
  InvalidRefreshTokenError, InvalidTokenError, MfaRequiredError, NoRefreshTokenError, NoTokenError, RefreshConflictError, RefreshReusedError, RefreshTokenModeError,
  SessionRevokedError, TokenExpiredError, TooManyAttemptsError
} from '../../src/errors.js'
import {
  AuthModeHeaders, LoginRequestSchema, PendingRegistrationSchema, RefreshRequestSchema, RegisterRequestSchema, SessionResponse, SessionStateSchema,
  type SessionState
} from '../../src/schemas/auth.js'
import { errorResponses, errorSchema, PUBLIC, ref } from '../../src/schemas/common.js'
import { MfaChallengeSchema } from '../../src/schemas/mfa.js'
import accountRoutes from './account.js'
import emailRoutes from './email.js'
import mfaRoutes from './mfa.js'
import oidcRoutes from './oidc.js'
import passkeyRoutes from './passkeys.js'
import reauthenticateRoutes from './reauthenticate.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

const SESSION_STARTED = 'A session started: a CookieSession (cookies set) or a BearerSession, per X-Auth-Mode'

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { authService, config } = fastify
  const transport = createTransport(config)
  const strict = passwordRouteLimit(config)
  // Cookie clients POST without a body; validate an absent body as an empty object.
  const optionalBody = async (request: FastifyRequest) => { request.body ??= {} }

  fastify.post('/register', {
    config: strict,
    schema: {
      operationId: 'register',
      tags: ['auth'],
      summary: 'Create an account and start a session',
      description: 'Mails a verification link to the address. With REQUIRE_EMAIL_VERIFICATION, answers 202 with the user and starts no session: the user verifies the address, then logs in.',
      security: PUBLIC,
      headers: AuthModeHeaders,
      body: ref(RegisterRequestSchema),
      response: {
        201: { ...SessionResponse, description: SESSION_STARTED },
        202: { ...ref(PendingRegistrationSchema), description: 'Created; no session until the address is verified (REQUIRE_EMAIL_VERIFICATION)' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 409: [EmailTakenError] })
      }
    }
  }, async (request, reply) => {
    const result = await authService.register(request.body, clientMeta(request))
    if (result.tokens === null) return reply.code(202).send({ tokenType: 'None', user: result.user })
    return reply.code(201).send(transport.send(request, reply, result))
  })

  fastify.post('/login', {
    config: strict,
    schema: {
      operationId: 'login',
      tags: ['auth'],
      summary: 'Log in with email and password; starts a new session',
      description: 'AUTH_REFRESH_CONFLICT (409): the account changed while the password was checked (a new password, "log out everywhere", new roles) or too many concurrent writes to it; retry. AUTH_TOO_MANY_ATTEMPTS (429): too many failed logins for this email; retry after Retry-After seconds.',
      security: PUBLIC,
      headers: AuthModeHeaders,
      body: ref(LoginRequestSchema),
      response: {
        200: { ...SessionResponse, description: SESSION_STARTED },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 403: [AccountDisabledError, EmailNotVerifiedError], 409: [RefreshConflictError], 429: [TooManyAttemptsError] }),
        // AUTH_MFA_REQUIRED: the password was right; `mfa` holds what verifyMfa needs. No session yet.
        401: errorSchema(401, [InvalidCredentialsError, MfaRequiredError], { mfa: Type.Optional(ref(MfaChallengeSchema)) })
      }
    }
  }, async (request, reply) => {
    const result = await authService.login(request.body, clientMeta(request))
    return transport.send(request, reply, result)
  })

  fastify.post('/refresh', {
    preValidation: optionalBody,
    schema: {
      operationId: 'refreshSession',
      tags: ['auth'],
      summary: 'Rotate the refresh token: new access and refresh tokens; the presented one dies',
      description: 'Presenting an already-rotated refresh token revokes its whole session (AUTH_REFRESH_REUSED), except the immediate predecessor within REFRESH_GRACE_SECONDS of its rotation, which gets the same successor (concurrent tabs, lost responses). Cookie mode sends no body.',
      security: PUBLIC,
      headers: AuthModeHeaders,
      body: ref(RefreshRequestSchema),
      'x-body-optional': true,
      response: {
        200: { ...SessionResponse, description: 'The rotated session, in the transport of the request' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, {
          400: [AmbiguousCredentialsError],
          401: [NoRefreshTokenError, InvalidRefreshTokenError, RefreshReusedError],
          403: [AccountDisabledError],
          409: [RefreshConflictError]
        })
      }
    }
  }, async (request, reply) => {
    const token = transport.refreshToken(request, reply)
    // A REST client that forgot the header: say what is missing rather than "no token".
    if (!token) throw request.body.refreshToken === undefined ? new NoRefreshTokenError() : new RefreshTokenModeError()
    const result = await authService.refresh(token, clientMeta(request))
    return transport.send(request, reply, result)
  })

  fastify.post('/logout', {
    preValidation: optionalBody,
    schema: {
      operationId: 'logout',
      tags: ['auth'],
      summary: 'Revoke the current session and clear the cookies (idempotent)',
      description: 'Cookie mode sends no body. A missing, invalid or already revoked token still gets 204.',
      security: PUBLIC,
      headers: AuthModeHeaders,
      body: ref(RefreshRequestSchema),
      'x-body-optional': true,
      response: {
        204: Type.Null({ description: 'Logged out; the cookies are cleared' }),
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, { 400: [AmbiguousCredentialsError] })
      }
    }
  }, async (request, reply) => {
    await authService.logout(transport.refreshToken(request, reply), clientMeta(request))
    transport.clear(reply)
    return reply.code(204).send(null)
  })

  fastify.get('/session', {
    schema: {
      operationId: 'getSession',
      tags: ['auth'],
      summary: 'Whether this browser is signed in: 200 either way, for a page load',
      description: 'A signed-out page load that called getCurrentUser would log a failed request (401) in the console; this answers 200 with a status instead. The session is checked against the database: a revoked one is `signed-out`. On `expired`, call refreshSession, then ask again.',
      security: PUBLIC,
      response: { 200: { ...ref(SessionStateSchema), description: 'The state' }, ...errorResponses({ 400: [AmbiguousCredentialsError] }) }
    }
  }, async (request, reply): Promise<SessionState> => {
    const failed = await fastify.checkAccessToken(request, reply)
    if (failed instanceof TokenExpiredError) return { status: 'expired', user: null }
    if (failed instanceof NoTokenError || failed instanceof InvalidTokenError) return { status: 'signed-out', user: null }
    if (failed) throw failed
    try {
      await fastify.accountService.verifySession(request.user)
    } catch (err) {
      if (err instanceof TokenExpiredError) return { status: 'expired', user: null }
      if (err instanceof SessionRevokedError) return { status: 'signed-out', user: null }
      throw err
    }
    const user = await fastify.accountService.getUser(request.user.sub)
    return user ? { status: 'active', user } : { status: 'signed-out', user: null }
  })

  await fastify.register(emailRoutes)
  await fastify.register(mfaRoutes)
  await fastify.register(oidcRoutes)
  await fastify.register(passkeyRoutes)
  await fastify.register(accountRoutes)
  await fastify.register(reauthenticateRoutes)
}

export default routes
