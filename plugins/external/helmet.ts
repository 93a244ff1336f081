import fastifyHelmet from '@fastify/helmet'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'

/**
 * Security headers on every response, with a strict CSP: same-origin scripts, styles and fetches
 * only, no inline code, no framing, no plugins. The Swagger UI routes replace it with their own
 * (@fastify/swagger-ui `staticCSP`), the one place that needs more.
 */
const POLICY = {
  contentSecurityPolicy: {
    useDefaults: false as const,
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
  frameguard: { action: 'deny' as const }
}

/**
 * @fastify/helmet 13 calls `helmet(options)` on every request (its `helmetApplyHeaders` hook),
 * which parses the CSP and builds every header's middleware again: 5–6 % of a refresh's and of
 * `GET /users/me`'s CPU when we profiled it. So the policy is applied by helmet's
 * middleware built once, here, and @fastify/helmet is registered with `global: false`: it still
 * provides `reply.helmet(options)` and the per-route `helmet` option for a route that needs
 * another policy.
 * @see https://github.com/fastify/fastify-helmet
 */
export default fp(async function securityHeaders (fastify) {
  // A logo on another origin (UI_LOGO_URL) is the one image the pages load from elsewhere.
  const logo = fastify.config.UI_LOGO_URL
  const logoOrigin = logo && !logo.startsWith('/') ? new URL(logo).origin : undefined
  const policy = logoOrigin
    ? { ...POLICY, contentSecurityPolicy: { ...POLICY.contentSecurityPolicy, directives: { ...POLICY.contentSecurityPolicy.directives, imgSrc: [...POLICY.contentSecurityPolicy.directives.imgSrc, logoOrigin] } } }
    : POLICY
  await fastify.register(fastifyHelmet, { ...policy, global: false })
  const apply = helmet(policy)
  fastify.addHook('onRequest', function helmetHeaders (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    // A route with its own `helmet` option (which @fastify/helmet keeps in the route's config)
    // gets that policy from @fastify/helmet instead.
    if ((request.routeOptions.config as { helmet?: unknown }).helmet !== undefined) return done()
    // Since helmet 8.1 the middleware throws instead of passing an error on.
    apply(request.raw, reply.raw, done as () => void)
  })
}, { name: 'helmet', dependencies: ['config'] })
