import fp from 'fastify-plugin'
import { configureHashing, hashingReady } from '../../src/lib/passwords.js'
import { createAccountService, type AccountService } from '../../src/services/account-service.js'
import { createAuditLog, type AuditLog } from '../../src/services/audit-log.js'
import { createAuthService, type AuthService } from '../../src/services/auth-service.js'
import { createLoginThrottle } from '../../src/services/login-throttle.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
    accountService: AccountService
    auditLog: AuditLog
  }
}

/** Hourly, because the embedded server ignores TTL indexes (real MongoDB also expires by TTL). */
const AUDIT_PRUNE_INTERVAL_MS = 3600_000

export default fp(async function services (fastify) {
  const { config, models, jwt } = fastify
  configureHashing({ worker: config.HASH_WORKER, concurrency: config.HASH_CONCURRENCY })
  // A worker that cannot start fails the boot here, not every login later.
  await hashingReady()
  const audit = createAuditLog(models.auditEvents, config.AUDIT_RETENTION_DAYS, err => fastify.log.error({ err }, 'audit event lost'))
  fastify.decorate('auditLog', audit)
  fastify.decorate('authService', createAuthService({
    users: models.users,
    claims: models.claims,
    throttle: createLoginThrottle(models.attempts, config.LOGIN_MAX_FAILURES),
    audit,
    verifyRefresh: token => jwt.refresh.verify(token),
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    graceSeconds: config.REFRESH_GRACE_SECONDS,
    maxSessions: config.MAX_SESSIONS_PER_USER,
    adminEmails: config.adminEmails
  }))
  fastify.decorate('accountService', createAccountService({ users: models.users, audit }))

  const pruner = setInterval(() => {
    audit.prune().catch(err => fastify.log.error({ err }, 'audit pruning failed'))
  }, AUDIT_PRUNE_INTERVAL_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(pruner))
}, { name: 'services', dependencies: ['config', 'models', 'jwt'] })
