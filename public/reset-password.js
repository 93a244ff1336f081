// The token is in the URL fragment (#token=…), which browsers never send to a server. It is used
// only when the user submits the form: a mail scanner that opens or even renders the link
// changes nothing.
import { createAuthClient } from '/client.js'
import { messageFor } from '/messages.js'

const token = new URLSearchParams(window.location.hash.slice(1)).get('token')
// Out of the address bar and the history from now on.
window.history.replaceState(null, '', window.location.pathname)
const form = document.getElementById('reset')
const status = document.getElementById('status')
const auth = createAuthClient()

if (!token) {
  status.textContent = 'This link is incomplete. Open the link from the mail again, or ask for a new one.'
} else {
  form.hidden = false
  form.addEventListener('submit', async event => {
    event.preventDefault()
    try {
      await auth.resetPassword(token, new FormData(form).get('password'))
      form.hidden = true
      status.textContent = 'Your password is changed, and every device was signed out. Sign in with the new password.'
    } catch (err) {
      status.textContent = err.code === 'AUTH_ONE_TIME_TOKEN_INVALID'
        ? 'This link is invalid, expired or already used. Ask for a new one from the sign-in page.'
        : messageFor(err)
    }
  })
}
