import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { InvalidTokenError } from '../../src/errors.js'
import { UserBody } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses } from '../../src/schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService } = fastify
  fastify.addHook('onRequest', fastify.authenticate)

  fastify.get('/me', {
    schema: {
      tags: ['users'],
      summary: 'The authenticated user',
      security: AUTHENTICATED,
      response: { 200: UserBody, ...errorResponses(401) }
    }
  }, async (request) => {
    const user = await accountService.getUser(request.user.sub)
    // A valid token for a deleted account is no longer a valid credential.
    if (!user) throw new InvalidTokenError()
    return { user }
  })
}

export default routes
