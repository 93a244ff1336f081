import fp from 'fastify-plugin'
import { createAccountService, type AccountService } from '../../src/services/account-service.js'
import { createAuthService, type AuthService } from '../../src/services/auth-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
    accountService: AccountService
  }
}

export default fp(async function services (fastify) {
  const { config, models, jwt } = fastify
  fastify.decorate('authService', createAuthService({
    ...models,
    verifyRefresh: token => jwt.refresh.verify(token),
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    graceSeconds: config.REFRESH_GRACE_SECONDS,
    maxSessions: config.MAX_SESSIONS_PER_USER,
    adminEmails: config.adminEmails
  }))
  fastify.decorate('accountService', createAccountService(models))
}, { name: 'services', dependencies: ['config', 'models', 'jwt'] })
