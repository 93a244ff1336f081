import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { NoRefreshTokenError } from '../../src/errors.js'
import { AuthModeHeaders, LoginBody, RefreshBody, RegisterBody, SessionBody } from '../../src/schemas/auth.js'
import { BODY_ERRORS, errorResponses } from '../../src/schemas/common.js'
import accountRoutes from './account.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { authService, config } = fastify
  const transport = createTransport(config)
  const strict = passwordRouteLimit(config)
  // Cookie clients POST without a body; validate an absent body as an empty object.
  const optionalBody = async (request: FastifyRequest) => { request.body ??= {} }

  fastify.post('/register', {
    config: strict,
    schema: {
      tags: ['auth'],
      summary: 'Create an account and start a session',
      headers: AuthModeHeaders,
      body: RegisterBody,
      response: { 201: SessionBody, ...errorResponses(...BODY_ERRORS, 409) }
    }
  }, async (request, reply) => {
    const result = await authService.register(request.body, clientMeta(request))
    return reply.code(201).send(transport.send(request, reply, result))
  })

  fastify.post('/login', {
    config: strict,
    schema: {
      tags: ['auth'],
      summary: 'Log in with email and password; starts a new session',
      description: 'AUTH_REFRESH_CONFLICT (409): the account changed while the password was checked (a new password, "log out everywhere", new roles) or too many concurrent writes to it; retry.',
      headers: AuthModeHeaders,
      body: LoginBody,
      response: { 200: SessionBody, ...errorResponses(...BODY_ERRORS, 401, 409) }
    }
  }, async (request, reply) => {
    const result = await authService.login(request.body, clientMeta(request))
    return transport.send(request, reply, result)
  })

  fastify.post('/refresh', {
    preValidation: optionalBody,
    schema: {
      tags: ['auth'],
      summary: 'Rotate the refresh token: returns new access and refresh tokens; the presented one dies',
      description: 'Presenting an already-rotated refresh token revokes its whole session (AUTH_REFRESH_REUSED), except the immediate predecessor within REFRESH_GRACE_SECONDS of its rotation, which gets the same successor (concurrent tabs, lost responses).',
      headers: AuthModeHeaders,
      body: RefreshBody,
      response: { 200: SessionBody, ...errorResponses(...BODY_ERRORS, 401, 409) }
    }
  }, async (request, reply) => {
    const token = transport.refreshToken(request)
    if (!token) throw new NoRefreshTokenError()
    const result = await authService.refresh(token, clientMeta(request))
    return transport.send(request, reply, result)
  })

  fastify.post('/logout', {
    preValidation: optionalBody,
    schema: {
      tags: ['auth'],
      summary: 'Revoke the current session and clear the cookies (idempotent)',
      headers: AuthModeHeaders,
      body: RefreshBody,
      response: { 204: Type.Null(), ...errorResponses(...BODY_ERRORS) }
    }
  }, async (request, reply) => {
    await authService.logout(transport.refreshToken(request), clientMeta(request))
    transport.clear(reply)
    return reply.code(204).send(null)
  })

  await fastify.register(accountRoutes)
}

export default routes
