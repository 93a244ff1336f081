import fp from 'fastify-plugin'
import { bindEmailClaimModel } from '../../models/email-claim.js'
import { bindUserModel } from '../../models/user.js'
import { createTokenSigner } from '../../src/lib/tokens.js'
import { createAuthService, type AuthService } from '../../src/services/auth-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
  }
}

export default fp(async function authService (fastify) {
  const { config, mongo, jwt } = fastify
  const tokens = createTokenSigner({
    signAccess: claims => jwt.access.sign(claims),
    signRefresh: claims => jwt.refresh.sign(claims),
    refreshSecret: config.REFRESH_TOKEN_SECRET
  })
  const users = bindUserModel(mongo, tokens)
  const claims = bindEmailClaimModel(mongo)
  await Promise.all([users.init(), claims.init()])
  fastify.decorate('authService', createAuthService({
    users,
    claims,
    verifyRefresh: token => jwt.refresh.verify(token),
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    graceSeconds: config.REFRESH_GRACE_SECONDS,
    maxSessions: config.MAX_SESSIONS_PER_USER
  }))
}, { name: 'auth-service', dependencies: ['config', 'mongoose', 'jwt'] })
