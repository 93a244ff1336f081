import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { configureHashing, hashingReady } from '../../src/lib/passwords.js'
import { createAccountService, type AccountService } from '../../src/services/account-service.js'
import { createAuditLog, type AuditLog } from '../../src/services/audit-log.js'
import { createAuthService, type AuthService } from '../../src/services/auth-service.js'
import { startAuthThread } from '../../src/services/auth-thread.js'
import { createLoginThrottle, type LoginThrottle } from '../../src/services/login-throttle.js'
import { createUserStore, type UserStore } from '../../src/services/user-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
    accountService: AccountService
    auditLog: AuditLog
    loginThrottle: LoginThrottle
  }
}

/** Hourly, because the embedded server ignores TTL indexes (real MongoDB also expires by TTL). */
const PRUNE_INTERVAL_MS = 3600_000

/** The audit log over this app's model; an event that cannot be written is logged instead. */
export function auditLogFor (fastify: FastifyInstance): AuditLog {
  return createAuditLog(fastify.models.auditEvents, fastify.config.AUDIT_RETENTION_DAYS, err => fastify.log.error({ err }, 'audit event lost'))
}

/** The per-account login lock over this app's model (login and the password change share it). */
export function loginThrottleFor (fastify: FastifyInstance): LoginThrottle {
  return createLoginThrottle(fastify.models.attempts, fastify.config.LOGIN_MAX_FAILURES)
}

/** One per thread, shared by its services (see src/services/user-store.ts). */
export function userStoreFor (fastify: FastifyInstance): UserStore {
  return createUserStore(fastify.models.users, { recentUsersBytes: fastify.config.REFRESH_STATE_CACHE_MB * 1024 * 1024 })
}

/** The auth service over this app's models and keys (built here, or in the auth thread). */
export function authServiceFor (fastify: FastifyInstance, audit: AuditLog, throttle: LoginThrottle, users = userStoreFor(fastify)): AuthService {
  const { config, models, jwt } = fastify
  return createAuthService({
    users,
    claims: models.claims,
    throttle,
    audit,
    verifyRefresh: token => jwt.refresh.verify(token),
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    graceSeconds: config.REFRESH_GRACE_SECONDS,
    maxSessions: config.MAX_SESSIONS_PER_USER,
    adminEmails: config.adminEmails
  })
}

export default fp<{ mongoUrl: string }>(async function services (fastify, opts) {
  const { config } = fastify
  configureHashing({ worker: config.HASH_WORKER, concurrency: config.HASH_CONCURRENCY })
  const audit = auditLogFor(fastify)
  fastify.decorate('auditLog', audit)
  const throttle = loginThrottleFor(fastify)
  fastify.decorate('loginThrottle', throttle)
  const users = userStoreFor(fastify)
  const local = authServiceFor(fastify, audit, throttle, users)
  if (config.AUTH_THREAD) {
    // Registration and login in the auth thread, which checks its own hashing at boot; this
    // thread's hashing (password changes only) starts on first use.
    const thread = await startAuthThread({ config, mongoUrl: opts.mongoUrl, log: fastify.log })
    fastify.addHook('onClose', () => thread.close())
    fastify.decorate('authService', { ...local, ...thread.service })
  } else {
    // A worker that cannot start fails the boot here, not every login later.
    await hashingReady()
    fastify.decorate('authService', local)
  }
  fastify.decorate('accountService', createAccountService({ users, audit, throttle }))

  const pruner = setInterval(() => {
    audit.prune().catch(err => fastify.log.error({ err }, 'audit pruning failed'))
    throttle.prune().catch(err => fastify.log.error({ err }, 'login attempt pruning failed'))
  }, PRUNE_INTERVAL_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(pruner))
}, { name: 'services', dependencies: ['config', 'models', 'jwt'] })
