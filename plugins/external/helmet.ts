import fastifyHelmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/**
 * Security headers on every response, with a strict CSP: same-origin scripts, styles and fetches
 * only, no inline code, no framing, no plugins. The Swagger UI routes replace it with their own
 * (@fastify/swagger-ui `staticCSP`), the one place that needs more.
 * @see https://github.com/fastify/fastify-helmet
 */
export default fp(async function helmet (fastify) {
  await fastify.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"]
      }
    },
    frameguard: { action: 'deny' }
  })
}, { name: 'helmet' })
