import fastifyHelmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/**
 * Helmet's defaults (strict CSP included) on every response; the Swagger UI route relaxes its own
 * CSP through @fastify/swagger-ui's `staticCSP`.
 * @see https://github.com/fastify/fastify-helmet
 */
export default fp(async function helmet (fastify) {
  await fastify.register(fastifyHelmet, { global: true })
}, { name: 'helmet' })
