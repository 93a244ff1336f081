import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { InvalidTokenError, TOKEN_ERRORS } from '../../src/errors.js'
import { UserResponseSchema } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses, ref } from '../../src/schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accountService } = fastify
  fastify.addHook('onRequest', fastify.authenticate)

  fastify.get('/me', {
    schema: {
      operationId: 'getCurrentUser',
      tags: ['users'],
      summary: 'The authenticated user',
      security: AUTHENTICATED,
      response: { 200: { ...ref(UserResponseSchema), description: 'The user' }, ...errorResponses(TOKEN_ERRORS) }
    }
  }, async (request) => {
    const user = await accountService.getUser(request.user.sub)
    // A valid token for a deleted account is no longer a valid credential.
    if (!user) throw new InvalidTokenError()
    return { user }
  })
}

export default routes
