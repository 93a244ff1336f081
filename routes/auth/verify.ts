import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import { TOKEN_ERRORS } from '../../src/errors.js'
import type { AccessClaims } from '../../src/lib/tokens.js'
import { VerifiedTokenSchema } from '../../src/schemas/account.js'
import { AUTHENTICATED, errorResponses, PUBLIC, ref } from '../../src/schemas/common.js'
import { JwksSchema } from '../../src/schemas/keys.js'
import { JWKS_CACHE_SECONDS } from '../../plugins/app/access-tokens.js'

/** What still matters on a JSON answer to a machine: no sniffing, no caching, no rendering. */
export const MACHINE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'"
}

/**
 * Token introspection for other services and reverse proxies (forward-auth / auth_request):
 * answers from the signature alone, no database. Machine-facing (see src/app.ts).
 */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const answers = new WeakMap<AccessClaims, Static<typeof VerifiedTokenSchema>>()
  fastify.get('/verify', {
    onRequest: fastify.authenticate,
    schema: {
      operationId: 'verifyToken',
      tags: ['auth'],
      summary: 'Check an access token (header or cookie) and return its claims',
      description: 'Never touches the database: for services and reverse-proxy forward-auth. A revoked session\'s token passes until it expires (ACCESS_TOKEN_EXPIRY).',
      security: AUTHENTICATED,
      response: { 200: { ...ref(VerifiedTokenSchema), description: 'The token is genuine and unexpired' }, ...errorResponses(TOKEN_ERRORS) }
    }
  }, function (request, reply) {
    // Synchronous (nothing here waits): no promise on the hot path. The answer is built once per
    // cached claims object (plugins/app/authenticate.ts), not once per request.
    let answer = answers.get(request.user)
    if (answer === undefined) {
      const { sub, sid, roles, amr, aal, exp } = request.user
      answer = { userId: sub, sessionId: sid, roles, amr, aal, expiresAt: new Date(exp * 1000).toISOString() }
      answers.set(request.user, answer)
    }
    reply.send(answer)
  })
}

/**
 * The keys other services verify access tokens with. Like /auth/verify, outside the
 * browser-facing hooks and their per-IP limits: every service behind one egress IP fetches it.
 */
export const wellKnown: FastifyPluginAsyncTypebox = async function (fastify) {
  const { accessTokens } = fastify
  fastify.get('/.well-known/jwks.json', {
    schema: {
      operationId: 'getJwks',
      tags: ['auth'],
      summary: 'The public keys that verify access tokens (JWKS)',
      description: `The next, current and previous ES256 (or EdDSA) keys; a token's header names its key (kid). Cacheable for ${JWKS_CACHE_SECONDS} s: a new key is published before it signs, and an old one stays until its last tokens have expired. Empty with ACCESS_TOKEN_ALG=HS256.`,
      security: PUBLIC,
      response: { 200: { ...ref(JwksSchema), description: 'The key set' }, ...errorResponses() }
    }
  }, function (_request, reply) {
    reply.header('cache-control', `public, max-age=${JWKS_CACHE_SECONDS}`).send(accessTokens.jwks())
  })
}

export default routes
