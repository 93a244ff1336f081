import fp from 'fastify-plugin'
import { bindAuditEventModel, type AuditEventModel } from '../../models/audit-event.js'
import { bindEmailClaimModel, type EmailClaimModel } from '../../models/email-claim.js'
import { bindIdentityModels, type IdentityModel, type OidcTransactionModel } from '../../models/identity.js'
import { bindLoginAttemptModel, type LoginAttemptModel } from '../../models/login-attempt.js'
import { bindMfaModels, type MfaChallengeModel, type MfaFactorModel, type RecoveryCodeModel } from '../../models/mfa.js'
import { bindPasskeyModels, type PasskeyModel, type WebAuthnChallengeModel } from '../../models/passkey.js'
import { bindOneTimeTokenModel, type OneTimeTokenModel } from '../../models/one-time-token.js'
import { bindMailQuotaModel, bindOutboxModel, type MailQuotaModel, type OutboxModel } from '../../models/outbox.js'
import { bindUserModel, type UserModel } from '../../models/user.js'
import { createTokenSigner } from '../../src/lib/tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** For services only: routes never touch models. */
    models: {
      users: UserModel
      claims: EmailClaimModel
      attempts: LoginAttemptModel
      auditEvents: AuditEventModel
      oneTimeTokens: OneTimeTokenModel
      outbox: OutboxModel
      mailQuotas: MailQuotaModel
      mfaFactors: MfaFactorModel
      recoveryCodes: RecoveryCodeModel
      mfaChallenges: MfaChallengeModel
      identities: IdentityModel
      oidcTransactions: OidcTransactionModel
      passkeys: PasskeyModel
      webauthnChallenges: WebAuthnChallengeModel
    }
  }
}

/** Binds the models to this app's connection; the User model signs with this app's JWT keys. */
export default fp(async function models (fastify) {
  const { config, mongo, jwt, accessTokens } = fastify
  const tokens = createTokenSigner({
    signAccess: claims => accessTokens.sign(claims),
    signRefresh: claims => jwt.refresh.sign(claims),
    refreshSecret: config.REFRESH_TOKEN_SECRET,
    accessTtlSeconds: config.accessTokenTtlSeconds
  })
  const models = {
    users: bindUserModel(mongo, tokens),
    claims: bindEmailClaimModel(mongo),
    attempts: bindLoginAttemptModel(mongo),
    auditEvents: bindAuditEventModel(mongo, config.AUDIT_RETENTION_DAYS),
    oneTimeTokens: bindOneTimeTokenModel(mongo),
    outbox: bindOutboxModel(mongo),
    mailQuotas: bindMailQuotaModel(mongo),
    ...bindMfaModels(mongo),
    ...bindIdentityModels(mongo),
    ...bindPasskeyModels(mongo)
  }
  await Promise.all(Object.values(models).map(m => m.init()))
  fastify.decorate('models', models)
}, { name: 'models', dependencies: ['config', 'mongoose', 'jwt', 'access-tokens'] })
