// The page a reset mail links to. The token is in the URL fragment (#token=…), which browsers
// never send to a server, and it is used only when the user submits: a mail scanner that opens
// or even renders the link changes nothing.
import { find, onSubmit } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function resetPassword ({ auth, view, pageStatus }) {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token')
  // Out of the address bar and the history from now on.
  window.history.replaceState(null, '', window.location.pathname)
  const form = find(view, '#reset')
  if (!token) return pageStatus('This link is incomplete. Open the link from the mail again, or ask for a new one.', 'error')
  form.hidden = false
  onSubmit(form, async ({ password }) => {
    await auth.resetPassword(token, password)
    form.hidden = true
    pageStatus('Your password is changed, and every device was signed out. Sign in with the new password.', 'success')
  })
}
