import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AUTHENTICATED, errorResponses } from '../../src/schemas/common.js'

const Verified = Type.Object({
  userId: Type.String(),
  sessionId: Type.String(),
  roles: Type.Array(Type.String()),
  expiresAt: Type.String({ format: 'date-time' })
}, { title: 'VerifiedToken' })

/**
 * Token introspection for other services and reverse proxies (forward-auth / auth_request):
 * answers from the signature alone, no database, so it is as fast as verification gets.
 */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/verify', {
    // Forward-auth calls all come from the proxy's IP: a per-IP limit would throttle everyone.
    // Helmet's document headers mean nothing to a proxy (and @fastify/helmet rebuilds its
    // middleware on every request, the costliest hook here); the two that matter are set below.
    config: { rateLimit: false },
    helmet: false,
    onRequest: fastify.authenticate,
    schema: {
      tags: ['auth'],
      summary: 'Check an access token (header or cookie) and return its claims; never touches the database',
      security: AUTHENTICATED,
      response: { 200: Verified, ...errorResponses(401) }
    }
  }, async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store')
    const { sub, sid, roles, exp } = request.user
    return { userId: sub, sessionId: sid, roles, expiresAt: new Date((exp ?? 0) * 1000).toISOString() }
  })
}

export default routes
