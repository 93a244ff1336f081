// Ask for a reset link. The answer is the same whether the address has an account or not.
import { find, onSubmit } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default function forgotPassword ({ auth, view }) {
  onSubmit(find(view, '#forgot'), async ({ email }) => {
    await auth.forgotPassword({ email })
    return `If ${email} has an account, a link to choose a new password is on its way. Check your inbox.`
  })
}
