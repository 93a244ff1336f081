import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ForbiddenError } from '../../src/errors.js'

type Hook = (request: FastifyRequest) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    /** After authenticate: 403 AUTH_FORBIDDEN unless the access token carries `role`. */
    requireRole: (role: string) => Hook
    /**
     * After authenticate, for sensitive routes: checks the session and the token version against
     * the database, closing the stateless revocation window for them.
     */
    verifySession: Hook
    /**
     * Both checks of a sensitive route in one hook: the access token (authenticate), then the
     * session in the database (verifySession).
     */
    requireSession: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /**
     * After requireSession, for removing a way to sign in: 403 AUTH_STEP_UP_REQUIRED unless the
     * session signed in or re-authenticated within REAUTHENTICATION_WINDOW.
     */
    requireRecentAuth: Hook
    /** requireRecentAuth for adding a way to sign in, which also needs a verified email (AUTH_EMAIL_NOT_VERIFIED). */
    requireRecentAuthAndVerifiedEmail: Hook
  }
}

export default fp(async function authorization (fastify) {
  const { accountService, reauthentication } = fastify
  fastify.decorate('requireRole', (role: string): Hook => async request => {
    if (!request.user.roles.includes(role)) throw new ForbiddenError()
  })
  fastify.decorate('verifySession', async (request: FastifyRequest) => {
    await accountService.verifySession(request.user)
  })
  fastify.decorate('requireSession', async (request: FastifyRequest, reply: FastifyReply) => {
    const failed = await fastify.checkAccessToken(request, reply)
    if (failed) throw failed
    await accountService.verifySession(request.user)
  })
  fastify.decorate('requireRecentAuth', async (request: FastifyRequest) => {
    await reauthentication.assertRecent(request.user)
  })
  fastify.decorate('requireRecentAuthAndVerifiedEmail', async (request: FastifyRequest) => {
    await reauthentication.assertRecent(request.user, { verifiedEmail: true })
  })
}, { name: 'authorization', dependencies: ['authenticate', 'services'] })
