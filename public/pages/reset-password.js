// The page a reset mail links to: the new password, with the link's token.
import { find, onSubmit, takeLinkToken } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function resetPassword ({ auth, view, pageStatus }) {
  const token = takeLinkToken()
  const form = find(view, '#reset')
  if (!token) return pageStatus('This link is incomplete. Open the link from the mail again, or ask for a new one.', 'error')
  form.hidden = false
  onSubmit(form, async ({ password }) => {
    await auth.resetPassword(token, password)
    form.hidden = true
    pageStatus('Your password is changed, and every device was signed out. Sign in with the new password.', 'success')
  })
}
