// Devices: every session, by browser and system as the server read them, with this one marked.
import { messageFor } from '/messages.js'
import { busy, find, h, onSubmit, when } from '/ui-lib.js'

/** @param {import('../client.d.ts').Session} s "Chrome 131 on Linux", or what is known of it. */
export const deviceName = s => s.browser ? `${s.browser}${s.os ? ` on ${s.os}` : ''}` : (s.os || 'Unknown device')

/** @type {import('./types.d.ts').Page} */
export default async function devices ({ auth, view, pageStatus }) {
  const list = find(view, '#sessions')
  async function showSessions () {
    const sessions = await auth.sessions()
    list.replaceChildren(...sessions.map(s => {
      const revoke = h('button', { type: 'button', className: 'secondary' }, 'Sign out')
      revoke.setAttribute('aria-label', `Sign out ${deviceName(s)}, last active ${when(s.lastUsedAt)}`)
      revoke.addEventListener('click', () => busy(revoke, async () => {
        try {
          await auth.revokeSession({ id: s.id })
          await showSessions()
          pageStatus(`${deviceName(s)} is signed out.`, 'success')
        } catch (err) {
          pageStatus(messageFor(err), 'error')
        }
      }))
      return h('li', { className: 'item' },
        h('div', {},
          h('p', { className: 'item-title', title: s.userAgent }, deviceName(s), ...(s.current ? [' ', h('span', { className: 'badge', 'data-kind': 'success' }, 'This device')] : [])),
          h('p', { className: 'hint' }, `${s.ip} · signed in ${when(s.createdAt)} · last active ${when(s.lastUsedAt)}`)),
        ...(s.current ? [] : [revoke]))
    }))
  }
  onSubmit(find(view, '#sign-out-everywhere'), async () => {
    await auth.logoutAll()
    window.location.assign('/login?notice=signed-out-everywhere')
  })
  await showSessions()
}
