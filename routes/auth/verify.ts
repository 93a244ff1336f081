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
 * answers from the signature alone, no database. Registered outside the browser-facing hooks
 * (see src/app.ts); of the document headers, the two that matter to a machine are set here.
 */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/verify', {
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
