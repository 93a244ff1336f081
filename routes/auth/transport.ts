import type { FastifyReply, FastifyRequest } from 'fastify'
import { AUTH_GROUP } from '../../plugins/external/rate-limit.js'
import type { Config } from '../../src/config.js'
import { clearingCookies, cookieNames, hasAmbiguousCookies, MFA_COOKIE_PATH, REFRESH_COOKIE_PATHS } from '../../src/cookies.js'
import { AmbiguousCredentialsError, type MfaChallengeBody } from '../../src/errors.js'
import type { SessionResponseBody } from '../../src/schemas/auth.js'
import type { AuthResult, ClientMeta, IssuedTokens } from '../../src/services/auth-service.js'

/** How the client wants its tokens: browsers get cookies (default), REST clients a JSON body. */
const isBearerMode = (request: FastifyRequest) => request.headers['x-auth-mode'] === 'bearer'

/** Routes that take a password or a code share the stricter per-IP budget (AUTH_RATE_LIMIT_MAX). */
export const passwordRouteLimit = (config: Config) => ({ rateBudget: { id: AUTH_GROUP, max: config.AUTH_RATE_LIMIT_MAX, setting: 'AUTH_RATE_LIMIT_MAX' } })

export const clientMeta = (request: FastifyRequest): ClientMeta => ({
  userAgent: request.headers['user-agent'] ?? '',
  ip: request.ip
})

export function createTransport (config: Config) {
  const names = cookieNames(config.COOKIE_SECURE)
  const base = { httpOnly: true, secure: config.COOKIE_SECURE, sameSite: config.COOKIE_SAMESITE } as const

  const mfaCookie = { ...base, sameSite: 'strict', path: MFA_COOKIE_PATH } as const

  function setCookies (reply: FastifyReply, tokens: IssuedTokens): void {
    // The access cookie outlives its token (until the session's refresh expiry): an expired
    // token still in the cookie gets AUTH_TOKEN_EXPIRED ("refresh"), a missing one AUTH_NO_TOKEN
    // ("log in"), so clients can tell the two apart.
    reply.setCookie(names.access, tokens.accessToken, { ...base, path: '/', expires: tokens.refreshTokenExpiresAt })
    for (const path of REFRESH_COOKIE_PATHS) reply.setCookie(names.refresh, tokens.refreshToken, { ...base, path, expires: tokens.refreshTokenExpiresAt })
  }

  return {
    names,

    /**
     * The presented refresh token: body in bearer mode, cookie otherwise. Two cookies of one of
     * our names: 400 AUTH_AMBIGUOUS_CREDENTIALS, and both are cleared.
     */
    refreshToken (request: FastifyRequest, reply: FastifyReply): string | undefined {
      if (isBearerMode(request)) return (request.body as { refreshToken?: string } | undefined)?.refreshToken
      if (hasAmbiguousCookies(request.headers.cookie, names)) {
        reply.header('set-cookie', clearingCookies(config.COOKIE_SECURE, config.COOKIE_SAMESITE))
        throw new AmbiguousCredentialsError()
      }
      return request.cookies[names.refresh]
    },

    /** Hands the tokens to the client the way it asked for them. */
    send (request: FastifyRequest, reply: FastifyReply, result: AuthResult): SessionResponseBody {
      const { user, tokens } = result
      if (isBearerMode(request)) {
        return {
          tokenType: 'Bearer',
          user,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresIn: Math.max(0, Math.round((tokens.accessTokenExpiresAt.getTime() - Date.now()) / 1000))
        }
      }
      setCookies(reply, tokens)
      return { tokenType: 'Cookie', user, accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString() }
    },

    /** Cookie mode whatever the request asked: for a redirect back from a provider. */
    setCookies,

    /** A challenge for the second step, in an HttpOnly cookie that only /auth/mfa/* receives. */
    setMfaChallenge (reply: FastifyReply, challenge: MfaChallengeBody): void {
      reply.setCookie(names.mfaChallenge, challenge.token, { ...mfaCookie, expires: new Date(challenge.expiresAt) })
    },

    mfaChallenge: (request: FastifyRequest): string | undefined => request.cookies[names.mfaChallenge],

    clearMfaChallenge (reply: FastifyReply): void {
      reply.clearCookie(names.mfaChallenge, mfaCookie)
    },

    clear (reply: FastifyReply): void {
      reply.clearCookie(names.access, { ...base, path: '/' })
      for (const path of REFRESH_COOKIE_PATHS) reply.clearCookie(names.refresh, { ...base, path })
    }
  }
}
