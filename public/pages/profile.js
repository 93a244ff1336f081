// Profile: the name, the email with its verified state, and changing either.
import { find, onSubmit } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function profile ({ auth, user, view }) {
  if (!user) return
  const $ = (/** @type {string} */ id) => find(view, `#${id}`)
  const showUser = (/** @type {import('../client.d.ts').User} */ u) => {
    $('name').textContent = u.name || 'Not set'
    $('email').textContent = u.email
    $('verified').textContent = u.emailVerified ? 'Verified' : 'Not verified'
    $('verified').dataset.kind = u.emailVerified ? 'success' : 'warning'
    $('since').textContent = new Date(u.createdAt).toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' })
    $('resend').hidden = u.emailVerified
  }
  showUser(user)
  const rename = $('rename')
  rename.elements.namedItem('name').value = user.name
  onSubmit(rename, async ({ name }) => {
    showUser(await auth.updateProfile({ name }))
    return 'Saved.'
  })
  onSubmit($('resend'), async () => {
    await auth.resendVerification()
    return `A new link is on its way to ${user.email}.`
  })
  onSubmit($('change-email'), async ({ newEmail, password }) => {
    await auth.changeEmail({ newEmail, password })
    return `Follow the link we mailed to ${newEmail} to finish the change. Until then you sign in with ${user.email}.`
  })
}
