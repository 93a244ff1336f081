// Your data: a download of everything the server holds, and deleting the account.
import { find, h, onSubmit, withReauthentication } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function data ({ auth, view }) {
  onSubmit(find(view, '#export'), async () => {
    const exported = await auth.exportAccount()
    const url = URL.createObjectURL(new Blob([JSON.stringify(exported, null, 2)], { type: 'application/json' }))
    h('a', { href: url, download: 'account-export.json' }).click()
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
    return 'Your data is downloaded as account-export.json.'
  })
  onSubmit(find(view, '#delete'), async ({ password }) => {
    // Without the password (an account without one), a session that signed in a while ago confirms it is the user first.
    await withReauthentication(auth, () => auth.deleteAccount({ password: password || undefined }))
    window.location.assign('/login?notice=account-deleted')
  })
}
