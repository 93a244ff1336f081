// The page a verification (or email change) mail links to: one button, with the link's token.
import { messageFor } from '/messages.js'
import { busy, find, say, takeLinkToken } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function verifyEmail ({ auth, user: signedIn, view, pageStatus }) {
  const token = takeLinkToken()
  const button = find(view, '#confirm')
  if (!token) return pageStatus('This link is incomplete. Open the link from the mail again.', 'error')
  button.hidden = false
  find(view, '#verify-intro').hidden = false
  button.addEventListener('click', () => busy(button, async () => {
    try {
      const user = await auth.verifyEmail({ token })
      button.hidden = true
      // Opened signed out, the link proves the mailbox but not who holds the account.
      pageStatus(signedIn
        ? `${user.email} is confirmed. Thank you.`
        : `${user.email} is confirmed. Sign in to use the account. If you did not create it, reset its password to claim it.`, 'success')
    } catch (err) {
      // A new link is sent from the profile page, once signed in.
      const again = { href: signedIn ? '/account' : '/login?redirect_to=%2Faccount', label: 'Ask for a new one.' }
      if (/** @type {{ code?: string }} */ (err)?.code === 'AUTH_ONE_TIME_TOKEN_INVALID') say(find(view, '#page-status'), messageFor(err), 'error', again)
      else pageStatus(messageFor(err), 'error')
    }
  }))
}
