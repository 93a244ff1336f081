// The second step of a sign-in: a code from the authenticator app, or a recovery code.
import { find, onSubmit } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function secondFactor ({ auth, view, state, keepTarget, signedIn }) {
  // From the sign-in page, the challenge's token; after a provider, none: it is in a cookie.
  const mfaToken = typeof state.mfaToken === 'string' ? state.mfaToken : null
  const restart = find(view, '#restart')
  restart.href = keepTarget('/login')
  onSubmit(find(view, '#second-step'), async ({ code }) => {
    await auth.verifyMfa({ mfaToken, code: code.replace(/\s/g, '') })
    signedIn()
  })
}
