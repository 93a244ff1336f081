import fastifyRateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import { RateLimitedError } from '../../src/errors.js'

/**
 * Global per-IP limit; /auth/login and /auth/register set a stricter `config.rateLimit`.
 * Behind a proxy, set TRUST_PROXY so the client IP (not the proxy's) is the key.
 * @see https://github.com/fastify/fastify-rate-limit
 */
export default fp(async function rateLimit (fastify) {
  await fastify.register(fastifyRateLimit, {
    max: fastify.config.RATE_LIMIT_MAX,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.after)
  })
}, { name: 'rate-limit', dependencies: ['config'] })
