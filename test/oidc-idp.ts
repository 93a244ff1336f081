import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import Provider, { type ClientMetadata } from 'oidc-provider'
import * as client from 'openid-client'

export const CLIENT_ID = 'auth-server'
export const CLIENT_SECRET = 'test-client-secret-that-is-long-enough'
/** Clients of the same provider that stand for mobile apps (OIDC_<ID>_AUDIENCES), or for someone else. */
export const MOBILE_CLIENT_ID = 'mobile-app'
export const OTHER_CLIENT_ID = 'someone-else'
const MOBILE_REDIRECT = 'com.example.app:/callback'

/**
 * What the provider says about a login name. `unverified-…`: the email is not verified.
 * `userinfo-…`: the email is in the userinfo answer only, not in the ID token. `noemail-…`: no
 * email at all (a provider that does not share it). A name with an @
 * is the email itself; any other gets `<name>@idp.test`.
 */
function claimsFor (sub: string, use: string) {
  const email = sub.includes('@') ? sub : `${sub}@idp.test`
  if ((use === 'id_token' && sub.startsWith('userinfo-')) || sub.startsWith('noemail-')) return { sub, name: `User ${sub}` }
  return { sub, email, email_verified: !sub.startsWith('unverified-'), name: `User ${sub}` }
}

type Jar = Map<string, string>

async function go (jar: Jar, url: URL, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    headers: { ...init.headers as Record<string, string>, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    redirect: 'manual'
  })
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';')
    const at = pair!.indexOf('=')
    jar.set(pair!.slice(0, at), pair!.slice(at + 1))
  }
  return res
}

const form = (body: Record<string, string>): RequestInit =>
  ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() })

/**
 * A real OpenID provider (oidc-provider, panva) on loopback, with the app registered as a client
 * whose redirect URIs are `redirectUris`. Its development login form takes any name.
 */
export async function startIdp (redirectUris: string[]) {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...await exportJWK(privateKey), kid: 'idp-key-1', alg: 'RS256', use: 'sig' }
  const ttl = (seconds: number) => () => seconds
  const secretClient = (clientId: string, redirectUris: string[]): ClientMetadata =>
    ({ client_id: clientId, client_secret: CLIENT_SECRET, redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'] })
  const provider = new Provider(issuer, {
    clients: [
      secretClient(CLIENT_ID, redirectUris),
      { ...secretClient(MOBILE_CLIENT_ID, [MOBILE_REDIRECT]), application_type: 'native' },
      { ...secretClient(OTHER_CLIENT_ID, [MOBILE_REDIRECT]), application_type: 'native' }
    ],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the scopes' claims too (as Google's does), except for userinfo-… names.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { AccessToken: ttl(600), AuthorizationCode: ttl(60), IdToken: ttl(600), Interaction: ttl(600), Session: ttl(600), Grant: ttl(600) },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: (use: string) => claimsFor(sub, use) })
  })
  server.on('request', provider.callback())

  /**
   * Signs `login` in at the provider, consents, and returns where the provider sends the browser
   * back to: the app's callback URL with its code and state (or an error).
   */
  async function signIn (authorizationUrl: string, login: string): Promise<string> {
    const jar: Jar = new Map()
    let url = new URL(authorizationUrl)
    let init: RequestInit = {}
    for (let hop = 0; hop < 12; hop++) {
      const res = await go(jar, url, init)
      init = {}
      const location = res.headers.get('location')
      if (location === null) {
        // An interaction page: the login form, then the consent form.
        const html = await res.text()
        if (html.includes('name="login"')) init = form({ prompt: 'login', login, password: 'any' })
        else if (html.includes('value="consent"')) init = form({ prompt: 'consent' })
        else throw new Error(`unexpected page at ${url.href}: ${res.status} ${html.slice(0, 200)}`)
        continue
      }
      const next = new URL(location, url)
      if (next.origin !== issuer) return next.href
      url = next
    }
    throw new Error('too many redirects at the provider')
  }

  /** An ID token the provider issues to `clientId` for `login`, by a real code flow. */
  async function idTokenFor (clientId: string, login: string, nonce = client.randomNonce()): Promise<string> {
    const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(CLIENT_SECRET), { execute: [client.allowInsecureRequests] })
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: clientId === CLIENT_ID ? redirectUris[0]! : MOBILE_REDIRECT, scope: 'openid email profile', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce
    })
    const back = await signIn(url.href, login)
    const tokens = await client.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })
    return tokens.id_token!
  }

  return {
    issuer,
    /** The app's configuration for this provider, as `test`, named "Test IdP". */
    config: {
      OIDC_PROVIDERS: 'test',
      OIDC_TEST_ISSUER: issuer,
      OIDC_TEST_CLIENT_ID: CLIENT_ID,
      OIDC_TEST_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_TEST_NAME: 'Test IdP'
    },
    signIn,
    idTokenFor,
    /** A token signed with the provider's own key: for claims no flow would issue (an expired token). */
    sign: (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(privateKey),
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

export type Idp = Awaited<ReturnType<typeof startIdp>>
