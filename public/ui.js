// The account UI: one shell (app.html) at every page's address; this script picks the page the
// path names, checks the session (without a failing request when signed out), sends a visitor
// of the wrong kind on, and hands the page its module in /pages/.
import { createAuthClient } from '/client.js'
import { messageFor } from '/messages.js'
import { busy, h, say } from '/ui-lib.js'

/** Each page's address → its template and module, and who may see it. The server serves the shell at each. */
const PAGES = /** @type {const} */ ({
  '/login': ['sign-in', 'signed-out'],
  '/login/second-factor': ['second-factor', 'signed-out'],
  '/signup': ['sign-up', 'signed-out'],
  '/forgot-password': ['forgot-password', 'signed-out'],
  '/reset-password': ['reset-password', 'anyone'],
  '/verify-email': ['verify-email', 'anyone'],
  '/account': ['profile', 'signed-in'],
  '/account/security': ['security', 'signed-in'],
  '/account/devices': ['devices', 'signed-in'],
  '/account/data': ['data', 'signed-in']
})

/** What a page says when another sends the visitor on with ?notice=: a fixed set, never text from the URL. */
const NOTICES = {
  'signed-out': ['You are signed out.', 'success'],
  'signed-out-everywhere': ['You are signed out on every device.', 'success'],
  'account-deleted': ['Your account and its data are deleted.', 'success'],
  'session-ended': ['Your session ended. Please sign in again.', 'info'],
  linked: ['The account is linked: you can sign in with it too.', 'success']
}

const appName = /** @type {HTMLMetaElement} */ (document.querySelector('meta[name=application-name]')).content
const main = /** @type {HTMLElement} */ (document.getElementById('main'))
const query = new URLSearchParams(window.location.search)
// The server served this page only because redirect_to was absent, a path here or an allowed origin.
const redirectTo = query.get('redirect_to')

/** `path`, carrying redirect_to along (links between the signed-out pages). */
const keepTarget = (/** @type {string} */ path) => redirectTo ? `${path}${path.includes('?') ? '&' : '?'}redirect_to=${encodeURIComponent(redirectTo)}` : path

const auth = createAuthClient({
  // The session is gone (revoked on another device, expired): to the sign-in page, and back here after.
  onLogout: () => window.location.assign(`/login?notice=session-ended&redirect_to=${encodeURIComponent(window.location.pathname)}`)
})

/**
 * Puts page `name` in <main> and runs its module.
 * @param {string} name
 * @param {import('./pages/types.d.ts').PageContext['user']} user
 * @param {Record<string, unknown>} [state] what one page hands the next without a reload
 */
async function render (name, user, state = {}) {
  // The module first: the page's forms appear with their handlers, in the same task.
  const page = await import(`/pages/${name}.js`)
  const template = /** @type {HTMLTemplateElement} */ (document.getElementById(`page-${name}`))
  main.replaceChildren(template.content.cloneNode(true))
  document.title = `${template.dataset.title} · ${appName}`
  // Every form reports in a status line of its own, there before anything is said in it.
  for (const form of main.querySelectorAll('form')) if (!form.querySelector('.status')) form.append(h('p', { className: 'status', role: 'status' }))
  // A form that needs the current password, for an account that has none: the way to set one instead.
  if (user && !user.hasPassword) {
    for (const note of main.querySelectorAll('.needs-password')) {
      note.removeAttribute('hidden')
      note.previousElementSibling?.setAttribute('hidden', '')
    }
  }
  await page.default(/** @type {import('./pages/types.d.ts').PageContext} */ ({
    auth,
    user,
    view: main,
    state,
    redirectTo,
    keepTarget,
    pageStatus: (text, kind) => { const line = document.getElementById('page-status'); if (line) say(line, text, kind) },
    signedIn: () => window.location.assign(redirectTo ?? '/account'),
    show: (next, nextState, path) => {
      window.history.pushState(null, '', keepTarget(path))
      return render(next, user, nextState).then(() => main.querySelector('input')?.focus())
    }
  }))
}

/** The navigation of the signed-in pages: where we are, and signing out. */
function showNav () {
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'))
  nav.hidden = false
  for (const link of nav.querySelectorAll('a')) if (link.getAttribute('href') === window.location.pathname) link.setAttribute('aria-current', 'page')
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('sign-out'))
  button.addEventListener('click', () => busy(button, async () => {
    await auth.logout().catch(() => null)
    window.location.assign('/login?notice=signed-out')
  }))
}

/** What the previous page or a provider left in the query: said once, then out of the address bar (redirect_to stays). */
function takeNotices () {
  const notice = NOTICES[/** @type {keyof NOTICES} */ (query.get('notice') ?? '')]
  const error = query.get('error')
  const line = document.getElementById('page-status')
  if (line && error) say(line, messageFor({ code: error }), 'error')
  else if (line && notice) say(line, notice[0], /** @type {'info' | 'success'} */ (notice[1]))
  for (const key of ['notice', 'error', 'mfa', 'link']) query.delete(key)
  const rest = query.toString()
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''))
}

async function start () {
  const path = window.location.pathname
  const [name, audience] = PAGES[/** @type {keyof PAGES} */ (path)] ?? PAGES['/account']
  const user = await auth.session()
  if (audience === 'signed-in' && !user) return window.location.replace(`/login?redirect_to=${encodeURIComponent(path)}`)
  if (audience === 'signed-out' && user) return window.location.replace(redirectTo ?? '/account')
  if (user) showNav()
  // A provider sign-in that needs the second step comes back to /login?mfa=required; the
  // challenge is in an HttpOnly cookie.
  if (path === '/login' && query.get('mfa') === 'required') {
    window.history.replaceState(null, '', keepTarget('/login/second-factor'))
    await render('second-factor', null)
    return
  }
  await render(name, user)
  takeNotices()
}

/** A page that cannot load (the service down, say) says so instead of staying blank. */
function failed (/** @type {unknown} */ err) {
  main.replaceChildren(h('h1', {}, appName), h('p', { className: 'status', role: 'status', 'data-kind': 'error' }, messageFor(err)))
}

// No form is ever sent by the browser itself (that would put its fields, a password among them,
// in a URL): each page's script sends its forms.
document.addEventListener('submit', event => event.preventDefault(), { capture: true })
window.addEventListener('popstate', () => window.location.reload())
start().catch(failed)
