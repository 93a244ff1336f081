import fp from 'fastify-plugin'
import { bindSigningKeyModel } from '../../models/signing-key.js'
import { createSecretBox, deriveKey } from '../../src/lib/secret-box.js'
import { createAccessTokens, type AccessTokens } from '../../src/services/access-tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs and verifies access tokens; the signing keys and the JWKS. */
    accessTokens: AccessTokens
  }
}

/** How long verifiers may cache /.well-known/jwks.json. */
export const JWKS_CACHE_SECONDS = 300
/** Other instances' rotations and retirements are picked up this often (and on an unknown kid). */
const RELOAD_MS = 60_000

export default fp(async function accessTokens (fastify) {
  const { config, log } = fastify
  const tokens = createAccessTokens({
    model: bindSigningKeyModel(fastify.mongo),
    box: createSecretBox(deriveKey(config.ENCRYPTION_KEY, 'signing-key')),
    alg: config.ACCESS_TOKEN_ALG,
    hsSecret: config.ACCESS_TOKEN_SECRET,
    accessTtlSeconds: config.accessTokenTtlSeconds,
    jwksCacheSeconds: JWKS_CACHE_SECONDS,
    rotationDays: config.SIGNING_KEY_ROTATION_DAYS,
    issuer: config.PUBLIC_URL,
    audience: config.ACCESS_TOKEN_AUDIENCE,
    replaceUnreadableKeys: config.encryptionKeyGenerated,
    onReplaced: kids => log.warn({ kids }, 'signing keys sealed under another ENCRYPTION_KEY were retired and replaced (set ENCRYPTION_KEY to keep keys across restarts)')
  })
  await tokens.init()
  const tick = async () => {
    if (await tokens.rotationDue()) {
      if (await tokens.rotate()) log.info('signing key rotated (SIGNING_KEY_ROTATION_DAYS)')
    } else {
      await tokens.reload()
    }
  }
  await tick()
  const timer = setInterval(() => { tick().catch(err => log.error({ err }, 'signing keys: reload failed')) }, RELOAD_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
  fastify.decorate('accessTokens', tokens)
}, { name: 'access-tokens', dependencies: ['config', 'mongoose'] })
