import type { Test } from 'tap'
import { freePort } from './chromium.js'
import { build } from '../helper.js'
import { startIdp } from '../oidc-idp.js'

/**
 * The app listening on a port chosen first (the provider must know its callback), with the local
 * OpenID provider configured as "Test IdP"; both closed in teardown.
 */
export async function serveWithProvider (t: Test, overrides: Record<string, unknown> = {}) {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const idp = await startIdp([`${base}/auth/oidc/test/callback`])
  t.teardown(idp.close)
  const app = await build(t, { COOKIE_SECURE: 'false', PUBLIC_URL: base, ...idp.config, ...overrides })
  await app.listen({ port, host: '127.0.0.1' })
  return { app, base, idp }
}
