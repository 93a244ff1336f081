import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AUTHENTICATED, errorResponses } from '../../src/schemas/common.js'

/** What still matters on a JSON answer to a machine: no sniffing, no caching, no rendering. */
const MACHINE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'"
}

const Verified = Type.Object({
  userId: Type.String(),
  sessionId: Type.String(),
  roles: Type.Array(Type.String()),
  expiresAt: Type.String({ format: 'date-time' })
}, { title: 'VerifiedToken' })

/**
 * Token introspection for other services and reverse proxies (forward-auth / auth_request):
 * answers from the signature alone, no database. Registered outside the browser-facing hooks
 * (see src/app.ts); the security headers that matter to a machine are set here.
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
    reply.headers(MACHINE_HEADERS)
    const { sub, sid, roles, exp } = request.user
    return { userId: sub, sessionId: sid, roles, expiresAt: new Date((exp ?? 0) * 1000).toISOString() }
  })
}

export default routes
