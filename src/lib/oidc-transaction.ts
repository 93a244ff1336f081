import { createHmac, randomBytes } from 'node:crypto'

export interface AuthorizationChecks {
  /** Sent to the provider and back in the callback's query. */
  state: string
  /** Sent to the provider, which puts it in the ID token. */
  nonce: string
  /** PKCE: only its S256 challenge goes to the provider; the token request proves it. */
  codeVerifier: string
}

/** A transaction's secret: the browser's cookie holds it, the database its hash. */
export const newTransactionSecret = () => randomBytes(32).toString('base64url')

/**
 * The checks of the transaction whose secret is `secret`: each is an HMAC of the secret, so the
 * server stores none of them, and none reveals the secret or another check. 43 base64url
 * characters: a valid PKCE verifier (RFC 7636 §4.1), with 256 bits like the rest.
 */
export function deriveChecks (secret: string): AuthorizationChecks {
  const derive = (purpose: string) => createHmac('sha256', secret).update(purpose).digest('base64url')
  return { state: derive('state'), nonce: derive('nonce'), codeVerifier: derive('pkce-code-verifier') }
}
