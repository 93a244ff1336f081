import type { FastifyRequest } from 'fastify'
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
  }
}

export default fp(async function authorization (fastify) {
  const { accountService } = fastify
  fastify.decorate('requireRole', (role: string): Hook => async request => {
    if (!request.user.roles.includes(role)) throw new ForbiddenError()
  })
  fastify.decorate('verifySession', async (request: FastifyRequest) => {
    await accountService.verifySession(request.user)
  })
}, { name: 'authorization', dependencies: ['authenticate', 'services'] })
