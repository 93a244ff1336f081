// Browser client for the auth server (cookie mode): dependency-free ESM, never sees a token.
// Served at /client.js; also importable as `fastify-auth-server/client`.
//
//   import { createAuthClient } from '/client.js'
//   const auth = createAuthClient({ onLogout: () => showLogin() })
//   await auth.login({ email, password })
//   const res = await auth.fetch('/api/orders')   // refreshes once on AUTH_TOKEN_EXPIRED
//
// Types: ./client.d.ts, which `npm run typecheck` checks this file against.

/** @typedef {import('./client.d.ts').AuthClient} AuthClient */
/** @typedef {import('./client.d.ts').AuthClientOptions} AuthClientOptions */

export class AuthError extends Error {
  /**
   * @param {number} status
   * @param {{ code?: string, message?: string, mfa?: import('./client.d.ts').MfaChallenge, methods?: import('./client.d.ts').ReauthMethod[] } | null} [body]
   */
  constructor (status, body) {
    super(body?.message ?? `HTTP ${status}`)
    this.name = 'AuthError'
    this.status = status
    this.code = body?.code ?? 'HTTP_ERROR'
    // AUTH_MFA_REQUIRED: what verifyMfa needs to finish the login.
    this.mfa = body?.mfa
    // AUTH_STEP_UP_REQUIRED: how the user can re-authenticate.
    this.methods = body?.methods
  }
}

const LOCK_NAME = 'auth-server-refresh'

/** 401s that refuse what the user typed or chose (a current password, a code, a passkey): the session is fine. */
const TYPED_CREDENTIAL_CODES = new Set(['AUTH_WRONG_PASSWORD', 'AUTH_MFA_CODE_INVALID', 'AUTH_PASSKEY_FAILED'])

/**
 * @param {AuthClientOptions} [options]
 *   baseUrl: where the auth server is ('' = same origin). onLogout: called when a request comes
 *   back 401 for any reason but an expired access token or a wrong password or code the user
 *   typed, or a refresh fails: the user must log in.
 * @returns {AuthClient}
 */
export function createAuthClient ({ baseUrl = '', onLogout = () => {} } = {}) {
  /** @type {Promise<boolean> | null} */
  let inFlight = null

  /**
   * @param {string} path
   * @param {RequestInit} [init]
   */
  function raw (path, init = {}) {
    const headers = new Headers(init.headers)
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
    return fetch(baseUrl + path, { ...init, headers, credentials: 'include' })
  }

  async function refreshNow () {
    const res = await raw('/auth/refresh', { method: 'POST' })
    return res.ok
  }

  /**
   * One refresh at a time: single-flight inside this tab, and serialized across tabs with the
   * Web Locks API where the browser has it, so tabs do not race each other's rotation (the
   * server's grace window covers what slips through, e.g. browsers without Web Locks).
   */
  function refresh () {
    inFlight ??= (globalThis.navigator?.locks
      ? navigator.locks.request(LOCK_NAME, refreshNow)
      : refreshNow()
    ).finally(() => { inFlight = null })
    return inFlight
  }

  /**
   * fetch() with cookies; on 401 AUTH_TOKEN_EXPIRED refreshes once and retries once. Never loops.
   * @param {string} path
   * @param {RequestInit} [init]
   */
  async function authFetch (path, init = {}) {
    const res = await raw(path, init)
    if (res.status !== 401) return res
    const body = await res.clone().json().catch(() => null)
    if (TYPED_CREDENTIAL_CODES.has(body?.code)) return res
    if (body?.code === 'AUTH_TOKEN_EXPIRED' && await refresh()) {
      const retried = await raw(path, init)
      if (retried.status === 401 && !TYPED_CREDENTIAL_CODES.has((await retried.clone().json().catch(() => null))?.code)) onLogout()
      return retried
    }
    onLogout()
    return res
  }

  /** @param {Response} res */
  async function json (res) {
    const body = res.status === 204 ? null : await res.json().catch(() => null)
    if (!res.ok) throw new AuthError(res.status, body)
    return body
  }

  /**
   * A passkey ceremony's browser half: the options from the server in, the credential's JSON out.
   * Uses the WebAuthn JSON helpers (Chrome 129, Firefox 119, Safari 18.4 and later).
   * @param {'create' | 'get'} ceremony
   * @param {any} options
   */
  async function passkeyCeremony (ceremony, options) {
    const cancelled = () => new AuthError(400, { code: 'AUTH_PASSKEY_CANCELLED', message: 'No passkey was chosen' })
    const credential = await (ceremony === 'create'
      ? navigator.credentials.create({ publicKey: window.PublicKeyCredential.parseCreationOptionsFromJSON(options) })
      : navigator.credentials.get({ publicKey: window.PublicKeyCredential.parseRequestOptionsFromJSON(options) })
    ).catch(err => {
      // The user closed the browser's dialog, or it timed out: the browser tells no more.
      throw err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'AbortError') ? cancelled() : err
    })
    if (!(credential instanceof window.PublicKeyCredential)) throw cancelled()
    return credential.toJSON()
  }

  return {
    fetch: authFetch,
    /** Resolves to the session, or to `{ tokenType: 'None', user }` when the address must be verified first (202). */
    register: ({ email, password, name }) => raw('/auth/register', { method: 'POST', body: JSON.stringify({ email, password, ...(name ? { name } : {}) }) }).then(json),
    login: ({ email, password }) => raw('/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) }).then(json),
    logout: () => raw('/auth/logout', { method: 'POST' }).then(json),
    me: () => authFetch('/users/me').then(json).then(b => b.user),
    /** The signed-in user, or null; refreshes an expired token once. No failed request when signed out. */
    async session () {
      let state = await raw('/auth/session').then(json)
      if (state.status === 'expired' && await refresh()) state = await raw('/auth/session').then(json)
      return state.status === 'active' ? state.user : null
    },
    sessions: () => authFetch('/auth/sessions').then(json).then(b => b.sessions),
    revokeSession: ({ id }) => authFetch(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(json),
    logoutAll: () => authFetch('/auth/logout-all', { method: 'POST' }).then(json),
    changePassword: ({ currentPassword, newPassword }) => authFetch('/auth/password', { method: 'POST', body: JSON.stringify({ currentPassword, newPassword }) }).then(json),
    updateProfile: ({ name }) => authFetch('/users/me', { method: 'PATCH', body: JSON.stringify({ name }) }).then(json).then(b => b.user),
    exportAccount: () => authFetch('/users/me/export').then(json),
    reauthenticate: credential => authFetch('/auth/reauthenticate', { method: 'POST', body: JSON.stringify(credential) }).then(json),
    async reauthenticateWithPasskey () {
      const { challengeId, options } = await authFetch('/auth/reauthenticate/passkey/options', { method: 'POST' }).then(json)
      const response = await passkeyCeremony('get', options)
      return authFetch('/auth/reauthenticate/passkey/verify', { method: 'POST', body: JSON.stringify({ challengeId, response }) }).then(json)
    },
    deleteAccount: ({ password } = {}) => authFetch('/users/me/delete', { method: 'POST', body: JSON.stringify(password === undefined ? {} : { password }) }).then(json),
    forgotPassword: ({ email }) => raw('/auth/password/forgot', { method: 'POST', body: JSON.stringify({ email }) }).then(json).then(() => null),
    resetPassword: ({ token, newPassword }) => raw('/auth/password/reset', { method: 'POST', body: JSON.stringify({ token, newPassword }) }).then(json),
    verifyEmail: ({ token }) => raw('/auth/email/verify', { method: 'POST', body: JSON.stringify({ token }) }).then(json).then(b => b.user),
    resendVerification: () => authFetch('/auth/email/verification', { method: 'POST' }).then(json).then(() => null),
    verifyMfa: ({ mfaToken, code }) => raw('/auth/mfa/verify', { method: 'POST', body: JSON.stringify(mfaToken ? { mfaToken, code } : { code }) }).then(json),
    mfaStatus: () => authFetch('/auth/mfa').then(json),
    enrolTotp: () => authFetch('/auth/mfa/totp', { method: 'POST' }).then(json),
    activateTotp: ({ factorId, code }) => authFetch(`/auth/mfa/totp/${encodeURIComponent(factorId)}/activate`, { method: 'POST', body: JSON.stringify({ code }) }).then(json).then(b => b.recoveryCodes),
    removeTotp: ({ factorId, code }) => authFetch(`/auth/mfa/totp/${encodeURIComponent(factorId)}`, { method: 'DELETE', body: JSON.stringify({ code }) }).then(json),
    replaceRecoveryCodes: ({ code }) => authFetch('/auth/mfa/recovery-codes', { method: 'POST', body: JSON.stringify({ code }) }).then(json).then(b => b.recoveryCodes),
    providers: () => raw('/auth/oidc/providers').then(json).then(b => b.providers),
    providerSignInUrl: (provider, { redirectTo, link } = {}) => {
      const query = new URLSearchParams()
      if (redirectTo) query.set('redirect_to', redirectTo)
      if (link) query.set('link', 'true')
      const search = query.toString()
      return `${baseUrl}/auth/oidc/${encodeURIComponent(provider)}/start${search ? `?${search}` : ''}`
    },
    identities: () => authFetch('/users/me/identities').then(json).then(b => b.identities),
    unlinkIdentity: ({ id }) => authFetch(`/users/me/identities/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(json),
    async addPasskey ({ name } = {}) {
      const options = await authFetch('/auth/passkeys/register/options', { method: 'POST' }).then(json)
      const response = await passkeyCeremony('create', options)
      return authFetch('/auth/passkeys/register/verify', { method: 'POST', body: JSON.stringify(name ? { response, name } : { response }) }).then(json).then(b => b.passkey)
    },
    async signInWithPasskey () {
      const { challengeId, options } = await raw('/auth/passkeys/login/options', { method: 'POST' }).then(json)
      const response = await passkeyCeremony('get', options)
      return raw('/auth/passkeys/login/verify', { method: 'POST', body: JSON.stringify({ challengeId, response }) }).then(json)
    },
    passkeys: () => authFetch('/users/me/passkeys').then(json).then(b => b.passkeys),
    renamePasskey: ({ id, name }) => authFetch(`/users/me/passkeys/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify({ name }) }).then(json).then(b => b.passkey),
    removePasskey: ({ id }) => authFetch(`/users/me/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(json),
    changeEmail: ({ newEmail, password }) => authFetch('/users/me/email', { method: 'POST', body: JSON.stringify({ newEmail, password }) }).then(json).then(() => null)
  }
}
