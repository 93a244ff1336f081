import fastifyJwt from '@fastify/jwt'
import fp from 'fastify-plugin'
import type { AccessClaims, RefreshClaims } from '../../src/lib/tokens.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    namespaces: 'refresh'
    payload: RefreshClaims
    /** What plugins/app/authenticate.ts puts on request.user: an access token's claims. */
    user: AccessClaims
  }
}

/**
 * The refresh tokens' signer: HS256 under REFRESH_TOKEN_SECRET, pinned on verify (no `none`, no
 * algorithm confusion). They never leave this server's trust, so they stay symmetric; access
 * tokens, which other services verify, are signed by src/services/access-tokens.ts. No
 * `expiresIn` here: src/lib/tokens.ts sets every claim, `exp` included.
 * @see https://github.com/fastify/fastify-jwt#namespace
 */
export default fp(async function jwt (fastify) {
  await fastify.register(fastifyJwt, {
    namespace: 'refresh',
    secret: fastify.config.REFRESH_TOKEN_SECRET,
    sign: { algorithm: 'HS256' },
    verify: { algorithms: ['HS256'] }
  })
}, { name: 'jwt', dependencies: ['config'] })
