// The token is in the URL fragment (#token=…), which browsers never send to a server. It is used
// only when the user clicks: a mail scanner that opens or even renders the link changes nothing.
import { createAuthClient } from '/client.js'
import { messageFor } from '/messages.js'

const token = new URLSearchParams(window.location.hash.slice(1)).get('token')
window.history.replaceState(null, '', window.location.pathname)
const button = document.getElementById('confirm')
const status = document.getElementById('status')
const auth = createAuthClient()

if (!token) {
  status.textContent = 'This link is incomplete. Open the link from the mail again.'
} else {
  button.hidden = false
  button.addEventListener('click', async () => {
    button.disabled = true
    try {
      const user = await auth.verifyEmail(token)
      button.hidden = true
      status.textContent = `${user.email} is confirmed.`
    } catch (err) {
      button.disabled = false
      status.textContent = err.code === 'AUTH_ONE_TIME_TOKEN_INVALID'
        ? 'This link is invalid, expired or already used.'
        : messageFor(err)
    }
  })
}
