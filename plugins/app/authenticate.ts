import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { cookieNames } from '../../src/cookies.js'
import { InvalidTokenError, NoTokenError, TokenExpiredError } from '../../src/errors.js'
import { isAccessClaims } from '../../src/lib/tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the access token (header first, then cookie) and sets request.user. */
    authenticate: (request: FastifyRequest) => Promise<void>
  }
}

const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i

/**
 * Stateless and DB-free: a revoked session's access token keeps working until it expires
 * (ACCESS_TOKEN_EXPIRY), which is the documented revocation window.
 */
export default fp(async function authenticate (fastify) {
  const accessCookie = cookieNames(fastify.config.COOKIE_SECURE).access
  const verify = fastify.jwt.access.verify

  fastify.decorate('authenticate', async function (request: FastifyRequest) {
    const header = request.headers.authorization
    let token: string | undefined
    if (header) {
      token = BEARER.exec(header)?.[1]
      if (token === undefined) throw new InvalidTokenError()
    } else {
      token = request.cookies[accessCookie]
      if (!token) throw new NoTokenError()
    }
    let claims: unknown
    try {
      claims = verify(token)
    } catch (err) {
      throw (err as { code?: string }).code === 'FAST_JWT_EXPIRED' ? new TokenExpiredError() : new InvalidTokenError()
    }
    if (!isAccessClaims(claims)) throw new InvalidTokenError()
    request.user = claims
  })
}, { name: 'authenticate', dependencies: ['config', 'jwt', 'cookie'] })
