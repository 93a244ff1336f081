import { parse as parseCookie } from 'cookie'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { clearingCookies, cookieNames, hasAmbiguousCookies } from '../../src/cookies.js'
import { AmbiguousCredentialsError, InvalidTokenError, NoTokenError, TokenExpiredError } from '../../src/errors.js'
import { createTokenCache } from '../../src/lib/token-cache.js'
import { UnknownKeyError } from '../../src/services/access-tokens.js'
import { isAccessClaims, withAuthDefaults, type AccessClaims } from '../../src/lib/tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the access token (header first, then cookie) and sets request.user. */
    authenticate: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void
    /** authenticate as a promise of its outcome: null when the token passed (request.user set), else the error. */
    checkAccessToken: (request: FastifyRequest, reply: FastifyReply) => Promise<Error | null>
  }
}

const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i
/** Verified tokens kept; at ~0.5 kB each, 10 MiB at most. */
const CACHE_SIZE = 20_000

/**
 * Stateless and DB-free: a revoked session's access token keeps working until it expires
 * (ACCESS_TOKEN_EXPIRY), which is the documented revocation window.
 */
export default fp(async function authenticate (fastify) {
  const { COOKIE_SECURE, COOKIE_SAMESITE } = fastify.config
  const names = cookieNames(COOKIE_SECURE)
  const accessCookie = names.access
  const { accessTokens } = fastify
  // Faster than fast-jwt's own cache, which hashes every token to make its key (measured in
  // bench/README.md); see src/lib/token-cache.ts for why the raw string is a safe key.
  const cache = createTokenCache<AccessClaims>(CACHE_SIZE)

  /** The verified claims for this request's token, or throws a 401 error with its code. */
  function claimsOf (request: FastifyRequest, reply: FastifyReply): AccessClaims {
    const header = request.headers.authorization
    let token: string | undefined
    if (header) {
      token = BEARER.exec(header)?.[1]
      if (token === undefined) throw new InvalidTokenError()
    } else {
      if (hasAmbiguousCookies(request.headers.cookie, names)) {
        reply.header('set-cookie', clearingCookies(COOKIE_SECURE, COOKIE_SAMESITE))
        throw new AmbiguousCredentialsError()
      }
      // Outside the browser-facing context (see src/app.ts) @fastify/cookie is not registered.
      const cookies = request.cookies ?? (request.headers.cookie ? parseCookie(request.headers.cookie) : {})
      token = cookies[accessCookie]
      if (!token) throw new NoTokenError()
    }
    return cache.get(token) ?? verified(token)
  }

  function verified (token: string): AccessClaims {
    let claims: unknown
    try {
      claims = accessTokens.verify(token)
    } catch (err) {
      if (err instanceof UnknownKeyError) throw err
      throw (err as { code?: string }).code === 'FAST_JWT_EXPIRED' ? new TokenExpiredError() : new InvalidTokenError()
    }
    if (!isAccessClaims(claims)) throw new InvalidTokenError()
    // Shared by every request with this token: frozen, so no handler can alter the cached copy.
    const frozen = Object.freeze(withAuthDefaults(claims))
    cache.set(token, frozen)
    return frozen
  }

  // A callback hook, not an async one: the hot path allocates no promise.
  fastify.decorate('authenticate', function (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    try {
      request.user = claimsOf(request, reply)
    } catch (err) {
      if (!(err instanceof UnknownKeyError)) {
        done(err as Error)
        return
      }
      // A key this instance has not loaded yet (another one rotated): reload, once, and retry.
      accessTokens.reloadForUnknownKey().then(() => {
        request.user = claimsOf(request, reply)
      }).then(() => done(), (e: unknown) => done(e instanceof UnknownKeyError ? new InvalidTokenError() : e as Error))
      return
    }
    done()
  })
  fastify.decorate('checkAccessToken', (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<Error | null>(resolve => { fastify.authenticate(request, reply, err => resolve(err ?? null)) }))
}, { name: 'authenticate', dependencies: ['config', 'access-tokens'] })
