// The page a reset mail links to: the new password, with the link's token.
import { find, onSubmit, say, takeLinkToken } from '/ui-lib.js'

const ASK_AGAIN = { href: '/forgot-password', label: 'Ask for a new one.' }

/** @type {import('./types.d.ts').Page} */
export default function resetPassword ({ auth, view, pageStatus }) {
  const token = takeLinkToken()
  const form = find(view, '#reset')
  if (!token) return say(find(view, '#page-status'), 'This link is incomplete. Open the link from the mail again.', 'error', ASK_AGAIN)
  form.hidden = false
  onSubmit(form, async ({ password }) => {
    await auth.resetPassword({ token, newPassword: password })
    form.hidden = true
    pageStatus('Your password is changed, and every device was signed out. Sign in with the new password.', 'success')
  }, (err, line) => {
    if (err?.code !== 'AUTH_ONE_TIME_TOKEN_INVALID') return false
    say(line, 'This link is invalid, expired or already used.', 'error', ASK_AGAIN)
    return true
  })
}
