// Create an account. When the server asks for a verified address first, no session comes back:
// the page says where the link went.
import { find, onSubmit } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function signUp ({ auth, view, keepTarget, signedIn }) {
  find(view, '#to-sign-in').href = keepTarget('/login')
  const form = find(view, '#sign-up')
  onSubmit(form, async ({ name, email, password }) => {
    const result = await auth.register({ email, password, name: name.trim() || undefined })
    if (result.tokenType === 'Cookie') return signedIn()
    for (const label of form.querySelectorAll('label, .hint, button')) /** @type {HTMLElement} */ (label).hidden = true
    return `Almost there: we mailed a link to ${email}. Follow it to confirm your address, then sign in.`
  })
}
