import fastifyCors from '@fastify/cors'
import fp from 'fastify-plugin'

/**
 * Credentialed CORS for ALLOWED_ORIGINS only; with none configured, no CORS headers at all
 * (same-origin deployments need none).
 * @see https://github.com/fastify/fastify-cors
 */
export default fp(async function cors (fastify) {
  const origins = fastify.config.allowedOrigins
  await fastify.register(fastifyCors, {
    origin: origins.length > 0 ? origins : false,
    credentials: true,
    // Every method the API uses: the account routes PATCH and DELETE, the admin API PUTs roles.
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Auth-Mode'],
    maxAge: 600
  })
}, { name: 'cors', dependencies: ['config'] })
