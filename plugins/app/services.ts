import fp from 'fastify-plugin'
import nodemailer from 'nodemailer'
import { createBackgroundTasks } from '../../src/lib/background.js'
import { createPasswordHasher, type PasswordHasher } from '../../src/lib/passwords.js'
import { createAccountService, type AccountService } from '../../src/services/account-service.js'
import { createAuditLog, type AuditLog } from '../../src/services/audit-log.js'
import { createAuthService, type AuthService } from '../../src/services/auth-service.js'
import { createEmailClaims } from '../../src/services/email-claims.js'
import { createEmailService, type EmailService } from '../../src/services/email-service.js'
import { createOneTimeTokens } from '../../src/services/one-time-tokens.js'
import { createOutbox, logTransport, type Outbox } from '../../src/services/outbox.js'
import { createLoginThrottle, type LoginThrottle } from '../../src/services/login-throttle.js'
import { createMetrics, type Metrics } from '../../src/services/metrics.js'
import { createMfaService, type MfaService } from '../../src/services/mfa-service.js'
import { createOidcClients } from '../../src/services/oidc-client.js'
import { createOidcService, type OidcService } from '../../src/services/oidc-service.js'
import { createLifecycleService, signInMethodRemover, type LifecycleService } from '../../src/services/lifecycle-service.js'
import { createReauthentication, type Reauthentication } from '../../src/services/reauthentication.js'
import { createRoles, type Roles } from '../../src/services/roles.js'
import { createLoginMethods } from '../../src/services/login-methods.js'
import { createPasskeyService, type PasskeyService } from '../../src/services/passkey-service.js'
import { createSecretBox, deriveKey } from '../../src/lib/secret-box.js'
import { createUserStore } from '../../src/services/user-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
    accountService: AccountService
    auditLog: AuditLog
    loginThrottle: LoginThrottle
    passwords: PasswordHasher
    emailService: EmailService
    outbox: Outbox
    mfaService: MfaService
    oidcService: OidcService
    passkeyService: PasskeyService
    reauthentication: Reauthentication
    lifecycleService: LifecycleService
    roles: Roles
    metrics: Metrics
  }
}

/** Hourly, because the embedded server ignores TTL indexes (real MongoDB also expires by TTL). */
const PRUNE_INTERVAL_MS = 3600_000
/** How often the mail sender looks for retries that are due (new mail goes out at once). */
const MAIL_POLL_MS = 5000

/** The services over this app's models, keys and configuration. Routes call these only. */
export default fp(async function services (fastify) {
  const { config, models, jwt, log } = fastify
  const passwords = createPasswordHasher({ concurrency: config.HASH_CONCURRENCY })
  const metrics = createMetrics({ hashLoad: () => passwords.load() })
  fastify.decorate('metrics', metrics)
  const audit = createAuditLog(models.auditEvents, config.AUDIT_RETENTION_DAYS, err => log.error({ err }, 'audit event lost'), metrics.audited)
  // Login and the password change count failures against the same per-account lock.
  const throttle = createLoginThrottle(models.attempts, config.LOGIN_MAX_FAILURES)
  // One store for every service, so that each write keeps its last known states current.
  const users = createUserStore(models.users, { recentUsersBytes: config.REFRESH_STATE_CACHE_MB * 1024 * 1024 })
  const emailClaims = createEmailClaims(models.claims, users)
  const oneTimeTokens = createOneTimeTokens(models.oneTimeTokens)
  const smtp = config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : undefined
  if (smtp) {
    // Checked once at boot, without holding it up: a server that cannot be reached is worth one
    // warning now rather than a surprise at the first reset mail. The outbox retries anyway.
    const host = new URL(config.SMTP_URL!).host
    fastify.addHook('onReady', function () {
      smtp.verify().catch((err: Error) => log.warn({ err: { message: err.message } }, `SMTP_URL (${host}): the mail server cannot be reached or refused the connection; mail stays queued and is retried`))
    })
  }
  const outbox = createOutbox({
    outbox: models.outbox,
    quotas: models.mailQuotas,
    transport: smtp ?? logTransport(log),
    from: config.MAIL_FROM,
    log,
    onMail: metrics.mail
  })
  const background = createBackgroundTasks(err => log.error({ err }, 'password reset request failed'))
  const emailService = createEmailService({
    users,
    emailClaims,
    tokens: oneTimeTokens,
    outbox,
    passwords,
    throttle,
    audit,
    appName: config.APP_NAME,
    publicUrl: config.PUBLIC_URL,
    resetTtlSeconds: config.resetTokenTtlSeconds,
    verifyTtlSeconds: config.verifyTokenTtlSeconds,
    adminEmails: config.adminEmails,
    background,
    removeSignInMethods: signInMethodRemover(models)
  })

  fastify.decorate('passwords', passwords)
  fastify.decorate('auditLog', audit)
  const mfaService = createMfaService({
    factors: models.mfaFactors,
    recoveryCodes: models.recoveryCodes,
    challenges: models.mfaChallenges,
    users,
    throttle: createLoginThrottle(models.attempts, config.LOGIN_MAX_FAILURES, { prefix: 'mfa:' }),
    audit,
    outbox,
    box: createSecretBox(deriveKey(config.ENCRYPTION_KEY, 'totp-secret')),
    recoveryKey: deriveKey(config.ENCRYPTION_KEY, 'recovery-code'),
    appName: config.APP_NAME
  })

  fastify.decorate('loginThrottle', throttle)
  fastify.decorate('mfaService', mfaService)
  fastify.decorate('outbox', outbox)
  fastify.decorate('emailService', emailService)
  fastify.addHook('onClose', emailService.settled)
  const authService = createAuthService({
    users,
    passwords,
    emailClaims,
    throttle,
    audit,
    verifyRefresh: token => jwt.refresh.verify(token),
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    graceSeconds: config.REFRESH_GRACE_SECONDS,
    maxSessions: config.MAX_SESSIONS_PER_USER,
    adminEmails: config.adminEmails,
    requireEmailVerification: config.REQUIRE_EMAIL_VERIFICATION,
    sendVerification: emailService.sendVerification,
    mfa: mfaService,
    onRefresh: metrics.refresh
  })
  fastify.decorate('authService', authService)
  const loginMethods = createLoginMethods({ users, identities: models.identities, passkeys: models.passkeys, isMfaEnabled: mfaService.isEnabled })
  const oidcService = createOidcService({
    clients: createOidcClients({
      providers: config.oidcProviders,
      publicUrl: config.PUBLIC_URL,
      onProviderError: (provider, err) => log.warn({ err, provider }, 'OIDC provider call failed')
    }),
    identities: models.identities,
    transactions: models.oidcTransactions,
    users,
    createAccount: authService.createAccount,
    loginMethods,
    audit,
    outbox,
    appName: config.APP_NAME
  })
  fastify.decorate('oidcService', oidcService)
  const passkeyService = createPasskeyService({
    passkeys: models.passkeys,
    challenges: models.webauthnChallenges,
    users,
    loginMethods,
    audit,
    outbox,
    ...config.webauthn,
    appName: config.APP_NAME
  })
  fastify.decorate('passkeyService', passkeyService)
  const reauthentication = createReauthentication({
    users,
    windowMs: config.reauthenticationWindowMs,
    loginMethods,
    passwords,
    throttle,
    audit,
    mfa: mfaService,
    passkeys: passkeyService,
    renew: authService.renewAuthentication
  })
  fastify.decorate('reauthentication', reauthentication)
  const accountService = createAccountService({ users, passwords, audit, throttle, tokens: oneTimeTokens })
  fastify.decorate('accountService', accountService)
  const roles = createRoles({ users, audit })
  fastify.decorate('roles', roles)
  fastify.decorate('lifecycleService', createLifecycleService({
    users,
    roles,
    records: models,
    emailClaims,
    passwords,
    throttle,
    audit,
    outbox,
    auditEmailKey: deriveKey(config.ENCRYPTION_KEY, 'audit-email'),
    isMfaEnabled: mfaService.isEnabled,
    assertRecentAuth: reauthentication.assertRecent,
    exportSources: {
      sessions: accountService.listSessions,
      identities: oidcService.list,
      passkeys: passkeyService.list,
      mfa: mfaService.status,
      auditEvents: audit.forUser
    },
    appName: config.APP_NAME
  }))

  const stopSender = outbox.start(MAIL_POLL_MS)
  fastify.addHook('onClose', stopSender)

  const pruner = setInterval(() => {
    audit.prune().catch(err => log.error({ err }, 'audit pruning failed'))
    throttle.prune().catch(err => log.error({ err }, 'login attempt pruning failed'))
  }, PRUNE_INTERVAL_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(pruner))
}, { name: 'services', dependencies: ['config', 'models', 'jwt'] })
