import fp from 'fastify-plugin'
import { bindEmailClaimModel, type EmailClaimModel } from '../../models/email-claim.js'
import { bindUserModel, type UserModel } from '../../models/user.js'
import { createTokenSigner } from '../../src/lib/tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** For services only: routes never touch models. */
    models: { users: UserModel, claims: EmailClaimModel }
  }
}

/** Binds the models to this app's connection; the User model signs with this app's JWT keys. */
export default fp(async function models (fastify) {
  const { config, mongo, jwt } = fastify
  const tokens = createTokenSigner({
    signAccess: claims => jwt.access.sign(claims),
    signRefresh: claims => jwt.refresh.sign(claims),
    refreshSecret: config.REFRESH_TOKEN_SECRET
  })
  const users = bindUserModel(mongo, tokens)
  const claims = bindEmailClaimModel(mongo)
  await Promise.all([users.init(), claims.init()])
  fastify.decorate('models', { users, claims })
}, { name: 'models', dependencies: ['config', 'mongoose', 'jwt'] })
