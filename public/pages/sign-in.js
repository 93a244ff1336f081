// Sign in: a password, a passkey, or one button per configured provider.
import { messageFor } from '/messages.js'
import { busy, find, h, onSubmit } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default async function signIn ({ auth, view, keepTarget, pageStatus, signedIn, show }) {
  const form = find(view, '#sign-in')
  /** @param {any} err the second step, when the account has one. */
  const secondStep = err => {
    if (err?.code !== 'AUTH_MFA_REQUIRED') return false
    show('second-factor', { mfaToken: err.mfa.token }, '/login/second-factor')
    return true
  }
  onSubmit(form, async ({ email, password }) => {
    await auth.login({ email, password })
    signedIn()
  }, secondStep)

  const passkey = find(view, '#passkey-sign-in')
  passkey.addEventListener('click', () => busy(passkey, async () => {
    try {
      await auth.signInWithPasskey()
      signedIn()
    } catch (err) {
      if (!secondStep(err)) pageStatus(messageFor(err), 'error')
    }
  }))

  find(view, '#to-sign-up').href = keepTarget('/signup')
  // A provider brings the browser back here (redirect_to kept): signed in, or with the second step or an error.
  const providers = await auth.providers().catch(() => [])
  find(view, '#other-ways').append(...providers.map(p => h('li', {},
    h('a', { className: 'button secondary', href: auth.providerSignInUrl(p.id, { redirectTo: keepTarget('/login') }) }, `Continue with ${p.name}`))))
}
