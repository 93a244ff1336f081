import { createRemoteJWKSet, errors as jose, jwtVerify, type JWTPayload } from 'jose'
import * as client from 'openid-client'
import { OidcProviderError, OidcTokenInvalidError } from '../errors.js'
import type { OidcProviderConfig } from '../lib/oidc-providers.js'
import type { AuthorizationChecks } from '../lib/oidc-transaction.js'

/** What a provider asserts about the person signing in. */
export interface ProviderClaims {
  issuer: string
  subject: string
  email: string | null
  /** Only an explicit `email_verified: true` counts. */
  emailVerified: boolean
  name: string
  /** The ID token's `exp`, when the token came from the client rather than from our code exchange. */
  expiresAt?: Date
}

export interface OidcClientsOptions {
  providers: readonly OidcProviderConfig[]
  publicUrl: string
  /** Why a provider call failed; the client only hears AUTH_OIDC_PROVIDER_ERROR. */
  onProviderError: (providerId: string, err: unknown) => void
}

/** Seconds to wait for a provider's discovery, token, userinfo and JWKS answers. */
const PROVIDER_TIMEOUT_SECONDS = 10

type Provider = OidcProviderConfig

/** Some providers send the boolean as a string. */
const isTrue = (v: unknown) => v === true || v === 'true'
const str = (v: unknown) => typeof v === 'string' ? v : null

function claimsOf (issuer: string, subject: string, source: Record<string, unknown>): ProviderClaims {
  const email = str(source.email)?.trim().toLowerCase() || null
  return { issuer, subject, email, emailVerified: email !== null && isTrue(source.email_verified), name: (str(source.name) ?? '').slice(0, 100) }
}

/**
 * The relying-party side of each configured provider (openid-client). Discovery is lazy and
 * cached: a provider that is down does not stop the boot, and a failed discovery is retried on
 * the next use.
 */
export function createOidcClients (opts: OidcClientsOptions) {
  const byId = new Map(opts.providers.map(p => [p.id, p]))
  const configs = new Map<string, Promise<client.Configuration>>()
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()

  const redirectUri = (p: Provider) => `${opts.publicUrl}/auth/oidc/${p.id}/callback`

  function providerError (p: Provider, err: unknown): Error {
    opts.onProviderError(p.id, err)
    return new OidcProviderError()
  }

  function discover (p: Provider): Promise<client.Configuration> {
    let config = configs.get(p.id)
    if (!config) {
      // Plain http is accepted by the configuration only on a loopback host.
      const execute = p.issuer.startsWith('http:') ? [client.allowInsecureRequests] : []
      config = client.discovery(new URL(p.issuer), p.clientId, undefined, client.ClientSecretBasic(p.clientSecret), {
        execute, timeout: PROVIDER_TIMEOUT_SECONDS
      })
      configs.set(p.id, config)
      config.catch(() => configs.delete(p.id))
    }
    return config.catch(err => { throw providerError(p, err) })
  }

  return {
    get: (id: string): Provider | undefined => byId.get(id),

    list: () => opts.providers.map(({ id, name }) => ({ id, name })),

    redirectUri,

    /** Where to send the browser: the provider's authorization endpoint, code flow with PKCE S256. */
    async authorizationUrl (p: Provider, checks: AuthorizationChecks): Promise<URL> {
      const config = await discover(p)
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri(p),
        scope: p.scopes,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce
      })
    },

    /**
     * Validates the authorization response (state, `iss`, errors), exchanges the code with the
     * PKCE verifier, and validates the ID token (signature, issuer, audience, expiry, nonce).
     * `search`: the callback's query string, as received.
     */
    async exchange (p: Provider, search: string, checks: AuthorizationChecks): Promise<ProviderClaims> {
      const config = await discover(p)
      const currentUrl = new URL(redirectUri(p))
      currentUrl.search = search
      try {
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true
        })
        const idToken = tokens.claims()!
        // Providers that follow the spec to the letter (oidc-provider) put the email in the
        // userinfo answer only, when an access token is issued.
        const source = typeof idToken.email === 'string' ? idToken : await client.fetchUserInfo(config, tokens.access_token, idToken.sub)
        return claimsOf(idToken.iss, idToken.sub, source)
      } catch (err) {
        throw providerError(p, err)
      }
    },

    /**
     * Verifies an ID token a mobile app got from the platform's own sign-in: signature by the
     * provider's published keys, issuer, audience (the client id or OIDC_<ID>_AUDIENCES),
     * expiry, and the nonce when one is given.
     */
    async verifyIdToken (p: Provider, idToken: string, nonce?: string): Promise<ProviderClaims> {
      const metadata = (await discover(p)).serverMetadata()
      let keys = keySets.get(p.id)
      if (!keys) {
        if (!metadata.jwks_uri) throw providerError(p, new Error('the provider publishes no jwks_uri'))
        keys = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: PROVIDER_TIMEOUT_SECONDS * 1000 })
        keySets.set(p.id, keys)
      }
      let payload: JWTPayload
      try {
        ({ payload } = await jwtVerify(idToken, keys, {
          issuer: metadata.issuer,
          audience: [p.clientId, ...p.audiences],
          // Asymmetric signatures only: never `none`, never a MAC keyed by something public.
          algorithms: (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter(a => /^(RS|PS|ES)\d+$|^EdDSA$|^Ed25519$/.test(a)),
          requiredClaims: ['sub', 'exp', 'iat']
        }))
      } catch (err) {
        // A key set that cannot be fetched is the provider's failure; anything else, the token's.
        if (err instanceof jose.JOSEError && !(err instanceof jose.JWKSTimeout)) throw new OidcTokenInvalidError()
        throw providerError(p, err)
      }
      if (nonce !== undefined && payload.nonce !== nonce) throw new OidcTokenInvalidError()
      return { ...claimsOf(payload.iss!, payload.sub!, payload), expiresAt: new Date(payload.exp! * 1000) }
    }
  }
}

export type OidcClients = ReturnType<typeof createOidcClients>
