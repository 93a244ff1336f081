import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  AccountDisabledError, AccountLinkRequiredError, BODY_ERRORS, CSRF_ERRORS, CsrfError, EmailNotVerifiedError, IdentityInUseError, InvalidRedirectError, MfaRequiredError, OidcEmailUnverifiedError,
  OidcProviderError, OidcProviderUnknownError, OidcTokenInvalidError, RefreshConflictError, SESSION_ERRORS, StepUpRequiredError
} from '../../src/errors.js'
import { firstHeader, isSameOriginNavigation, safeRedirect, withQuery } from '../../src/lib/origin.js'
import { AuthModeHeaders, SessionResponse } from '../../src/schemas/auth.js'
import { errorResponses, errorSchema, PUBLIC, ref } from '../../src/schemas/common.js'
import { MfaChallengeSchema } from '../../src/schemas/mfa.js'
import { IdTokenRequestSchema, OidcCallbackQuery, OidcProviderListSchema, OidcStartQuery, ProviderParams } from '../../src/schemas/oidc.js'
import { TRANSACTION_SECONDS } from '../../src/services/oidc-service.js'
import { clientMeta, createTransport, passwordRouteLimit } from './transport.js'

const REDIRECT = (description: string) => Type.Null({
  description,
  headers: { Location: Type.String({ description: 'Where the browser goes next' }) }
})

/** The browser-facing answers: every outcome of a provider round trip is a redirect. */
const CALLBACK_CODES = [
  'AUTH_OIDC_STATE_INVALID', 'AUTH_OIDC_PROVIDER_ERROR', 'AUTH_OIDC_EMAIL_UNVERIFIED', 'AUTH_ACCOUNT_LINK_REQUIRED', 'AUTH_IDENTITY_IN_USE', 'AUTH_ACCOUNT_DISABLED'
].join(', ')

/** "Continue with …": sign-in and linking through OpenID Connect providers. */
const routes: FastifyPluginAsyncTypebox = async function (fastify) {
  const { oidcService, authService, config } = fastify
  const transport = createTransport(config)
  const txCookie = transport.names.oidcTransaction
  // Lax, not Strict: the cookie must come along on the provider's cross-site redirect back.
  const txCookieOptions = { httpOnly: true, secure: config.COOKIE_SECURE, sameSite: 'lax', path: '/' } as const

  const back = (reply: FastifyReply, target: string, params: Record<string, string> = {}) =>
    reply.redirect(withQuery(target, params), 302)

  /**
   * With link=true, the start needs a live session, checked as sensitive routes check it. It is
   * a GET (a browser navigation), which the CSRF check lets through: a cookie-authenticated one
   * must come from this server's pages, or a cross-site page could link its own provider account.
   */
  async function sessionIfLinking (request: FastifyRequest, reply: FastifyReply) {
    if ((request.query as { link?: boolean }).link !== true) return
    await fastify.requireSession(request, reply)
    const h = request.headers
    if (h.authorization === undefined && !isSameOriginNavigation({
      secFetchSite: firstHeader(h['sec-fetch-site']),
      referer: firstHeader(h.referer),
      selfOrigin: `${request.protocol}://${request.host}`,
      allowed: config.allowedOrigins
    })) throw new CsrfError()
  }

  fastify.get('/oidc/providers', {
    schema: {
      operationId: 'listOidcProviders',
      tags: ['oidc'],
      summary: 'The providers users can sign in with',
      security: PUBLIC,
      response: { 200: { ...ref(OidcProviderListSchema), description: 'One "Continue with {name}" button each' }, ...errorResponses() }
    }
  }, async () => ({ providers: oidcService.providers() }))

  fastify.get('/oidc/:provider/start', {
    preHandler: sessionIfLinking,
    schema: {
      operationId: 'startOidc',
      tags: ['oidc'],
      summary: "Sign in with a provider: redirects to the provider's sign-in page",
      description: `A browser navigation, not an API call. With link=true (the signed-in user links a provider account), a cookie-authenticated start must come from this server's pages or an allowed origin (Sec-Fetch-Site or Referer), else AUTH_CSRF_FAILED; an unverified address or a session without a recent authentication goes straight back to redirect_to with error=AUTH_EMAIL_NOT_VERIFIED or AUTH_STEP_UP_REQUIRED; and the link is refused at the callback (error=AUTH_SESSION_REVOKED) if the account's credentials changed meanwhile (a password change, logging out everywhere). Redirects to the provider (authorization code flow, PKCE S256, state and nonce), after setting an HttpOnly transaction cookie that binds the sign-in to this browser for ${TRANSACTION_SECONDS / 60} minutes. The provider then redirects to oidcCallback, which ends at redirect_to. If the provider cannot be reached, redirects straight to redirect_to with error=AUTH_OIDC_PROVIDER_ERROR.`,
      security: PUBLIC,
      params: ProviderParams,
      querystring: OidcStartQuery,
      response: {
        302: REDIRECT('To the provider, or back to redirect_to with an error'),
        ...errorResponses(SESSION_ERRORS, CSRF_ERRORS, { 400: [InvalidRedirectError], 404: [OidcProviderUnknownError] })
      }
    }
  }, async (request, reply) => {
    const redirectTo = safeRedirect(request.query.redirect_to ?? '/', config.PUBLIC_URL, config.allowedOrigins)
    if (redirectTo === null) throw new InvalidRedirectError()
    const linking = request.query.link === true
    let started: { url: string, secret: string }
    try {
      // Linking adds a way to sign in: a verified address and a recent authentication first.
      if (linking) await fastify.reauthentication.assertRecent(request.user, { verifiedEmail: true })
      started = await oidcService.start(request.params.provider, redirectTo, linking ? { userId: request.user.sub, tokenVersion: request.user.ver } : undefined)
    } catch (err) {
      if (err instanceof OidcProviderError || err instanceof StepUpRequiredError || err instanceof EmailNotVerifiedError) return back(reply, redirectTo, { error: err.code })
      throw err
    }
    reply.setCookie(txCookie, started.secret, { ...txCookieOptions, maxAge: TRANSACTION_SECONDS })
    return reply.redirect(started.url, 302)
  })

  fastify.get('/oidc/:provider/callback', {
    schema: {
      operationId: 'oidcCallback',
      tags: ['oidc'],
      summary: 'Where the provider sends the browser back (the redirect URI to register with it)',
      description: `Register PUBLIC_URL/auth/oidc/{provider}/callback with the provider. Checks the transaction cookie (used once) against the state, exchanges the code, validates the ID token, then applies the account rules (docs/providers.md). Success: the session cookies are set and the browser goes to redirect_to. A user with a second factor goes to redirect_to?mfa=required with an HttpOnly challenge cookie that verifyMfa accepts in place of mfaToken. Failure: redirect_to?error=CODE, one of ${CALLBACK_CODES}. Sessions started here carry amr ["oauth"] (not an RFC 8176 value: a provider's sign-in).`,
      security: PUBLIC,
      params: ProviderParams,
      querystring: OidcCallbackQuery,
      response: {
        302: REDIRECT('Back to redirect_to: signed in, mfa=required, linked, or error=CODE'),
        ...errorResponses({ 404: [OidcProviderUnknownError] })
      }
    }
  }, async (request, reply) => {
    const { provider } = request.params
    const secret = request.cookies[txCookie]
    reply.clearCookie(txCookie, txCookieOptions)
    const queryAt = request.url.indexOf('?')
    const meta = clientMeta(request)
    const outcome = await oidcService.complete(provider, secret, queryAt < 0 ? '' : request.url.slice(queryAt), meta)
    if (outcome.kind === 'failed') return back(reply, outcome.redirectTo, { error: outcome.code })
    if (outcome.kind === 'linked') return back(reply, outcome.redirectTo)
    try {
      transport.setCookies(reply, (await authService.signInWith(outcome.userId, 'oauth', meta, { provider })).tokens)
    } catch (err) {
      if (err instanceof MfaRequiredError && err.body) {
        transport.setMfaChallenge(reply, err.body.mfa)
        return back(reply, outcome.redirectTo, { mfa: 'required' })
      }
      if (err instanceof RefreshConflictError || err instanceof AccountDisabledError) return back(reply, outcome.redirectTo, { error: err.code })
      throw err
    }
    return back(reply, outcome.redirectTo)
  })

  fastify.post('/oidc/:provider/id-token', {
    config: passwordRouteLimit(config),
    schema: {
      operationId: 'signInWithIdToken',
      tags: ['oidc'],
      summary: "Sign in with an ID token from the platform's own sign-in (mobile apps); answers as login does",
      description: "Verifies the token against the provider's published keys: issuer, audience (OIDC_<ID>_CLIENT_ID or OIDC_<ID>_AUDIENCES), expiry, and the nonce when given. Each ID token is accepted once: a second use is AUTH_OIDC_TOKEN_INVALID. The same account rules as the browser flow then apply. Use X-Auth-Mode: bearer for the tokens in the body.",
      security: PUBLIC,
      headers: AuthModeHeaders,
      params: ProviderParams,
      body: ref(IdTokenRequestSchema),
      response: {
        200: { ...SessionResponse, description: 'A session started, in the transport of this request' },
        ...errorResponses(BODY_ERRORS, CSRF_ERRORS, {
          403: [OidcEmailUnverifiedError, AccountDisabledError],
          404: [OidcProviderUnknownError],
          409: [AccountLinkRequiredError, IdentityInUseError, RefreshConflictError],
          502: [OidcProviderError]
        }),
        // AUTH_MFA_REQUIRED: `mfa` holds what verifyMfa needs. No session yet.
        401: errorSchema(401, [OidcTokenInvalidError, MfaRequiredError], { mfa: Type.Optional(ref(MfaChallengeSchema)) })
      }
    }
  }, async (request, reply) => {
    const { provider } = request.params
    const meta = clientMeta(request)
    const userId = await oidcService.resolveIdToken(provider, request.body.idToken, request.body.nonce, meta)
    return transport.send(request, reply, await authService.signInWith(userId, 'oauth', meta, { provider }))
  })
}

export default routes
