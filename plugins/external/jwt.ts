import fastifyJwt from '@fastify/jwt'
import fp from 'fastify-plugin'
import type { AccessClaims, RefreshClaims } from '../../src/lib/tokens.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    namespaces: 'access' | 'refresh'
    payload: AccessClaims | RefreshClaims
    user: AccessClaims
  }
}

/**
 * Two signers with separate secrets, HS256 pinned on verify (no `none`, no algorithm confusion).
 * No `expiresIn` here: src/lib/tokens.ts sets every claim, `exp` included (a token without `exp`
 * fails its claim check), so the expiry a response states is the token's by construction.
 * Access verification is the hot path: it stays DB-free, and plugins/app/authenticate.ts caches
 * verified tokens.
 * @see https://github.com/fastify/fastify-jwt#namespace
 */
export default fp(async function jwt (fastify) {
  const { config } = fastify
  await fastify.register(fastifyJwt, {
    namespace: 'access',
    secret: config.ACCESS_TOKEN_SECRET,
    sign: { algorithm: 'HS256' },
    verify: { algorithms: ['HS256'] }
  })
  await fastify.register(fastifyJwt, {
    namespace: 'refresh',
    secret: config.REFRESH_TOKEN_SECRET,
    sign: { algorithm: 'HS256' },
    verify: { algorithms: ['HS256'] }
  })
}, { name: 'jwt', dependencies: ['config'] })
