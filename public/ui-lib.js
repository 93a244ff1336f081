// What every page of the account UI shares: status lines, forms that show their progress and
// never keep a secret, and a small element builder. No framework: the pages are plain DOM.
import { messageFor } from '/messages.js'

/**
 * Shows `text` in a status line (role=status, so screen readers read it). Errors and successes
 * look different: the style keys on data-kind.
 * @param {HTMLElement} line
 * @param {string} text
 * @param {'info' | 'success' | 'error'} [kind]
 * @param {{ href: string, label: string }} [link] where to go about it (e.g. a page that sends a new link)
 */
export function say (line, text, kind = 'info', link = undefined) {
  line.textContent = text
  if (link) line.append(' ', h('a', { href: link.href }, link.label))
  line.dataset.kind = kind
}

/** @param {HTMLElement} container its status line: the last `.status` inside it. */
const statusOf = container => /** @type {HTMLElement} */ ([...container.querySelectorAll('.status')].at(-1))

/**
 * The element `selector` finds in `root`: one the page's own markup holds.
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {any}
 */
export const find = (root, selector) => root.querySelector(selector)

/**
 * A button that cannot be pressed twice: disabled and aria-busy while its request is in flight.
 * @param {HTMLElement} element a button
 * @param {() => Promise<unknown>} work
 */
export async function busy (element, work) {
  const button = /** @type {HTMLButtonElement} */ (element)
  button.disabled = true
  button.setAttribute('aria-busy', 'true')
  try {
    return await work()
  } finally {
    button.disabled = false
    button.removeAttribute('aria-busy')
  }
}

/**
 * Runs `action` with the form's fields on submit. The button is busy meanwhile; password and
 * code fields are emptied as soon as they are read, whatever the answer. `action` resolves to a
 * success sentence for the form's status line (or nothing); a failure shows the error's sentence.
 * @param {HTMLFormElement} form
 * @param {(fields: Record<string, string>) => Promise<string | void>} action
 * @param {(err: any, line: HTMLElement) => boolean} [handled] true when it dealt with the error itself (in `line`, the form's status line)
 */
export function onSubmit (form, action, handled = () => false) {
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const fields = /** @type {Record<string, string>} */ (Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)])))
    for (const input of form.querySelectorAll('input[type=password], input[autocomplete=one-time-code]')) /** @type {HTMLInputElement} */ (input).value = ''
    const line = statusOf(form)
    say(line, '')
    const button = /** @type {SubmitEvent} */ (event).submitter ?? find(form, 'button[type=submit]')
    await busy(button, async () => {
      try {
        const message = await action(fields)
        if (message) say(line, message, 'success')
      } catch (err) {
        if (!handled(err, line)) say(line, messageFor(err), 'error')
      }
    })
  })
}

/**
 * Asks the signed-in user to confirm it is them, in the page's dialog: with the password, else
 * an authenticator or recovery code, or a passkey, as `methods` (from AUTH_STEP_UP_REQUIRED)
 * allow; with none of these, to sign in again. Resolves to whether they did.
 * @param {import('./client.d.ts').AuthClient} auth
 * @param {import('./client.d.ts').ReauthMethod[]} methods
 * @returns {Promise<boolean>}
 */
export function confirmIdentity (auth, methods) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('reauth'))
  const form = /** @type {HTMLFormElement} */ (find(dialog, 'form'))
  const byPassword = methods.includes('password')
  const byCode = !byPassword && methods.includes('totp')
  const byPasskey = methods.includes('passkey')
  const field = byPassword ? 'password' : 'code'
  find(dialog, '#reauth-password').hidden = !byPassword
  find(dialog, '#reauth-code').hidden = !byCode
  find(dialog, '#reauth-confirm').hidden = !byPassword && !byCode
  find(dialog, '#reauth-passkey').hidden = !byPasskey
  const noWay = !byPassword && !byCode && !byPasskey
  find(dialog, '#reauth-again').hidden = !noWay
  find(dialog, '#reauth-sign-out').hidden = !noWay
  for (const input of form.querySelectorAll('input')) {
    input.value = ''
    input.required = input.name === field && !noWay
  }
  const line = statusOf(form)
  say(line, '')
  return new Promise(resolve => {
    const listening = new AbortController()
    const { signal } = listening
    const done = (/** @type {boolean} */ confirmed) => {
      listening.abort()
      dialog.close()
      resolve(confirmed)
    }
    /** @param {HTMLElement} button @param {() => Promise<unknown>} proof */
    const attempt = (button, proof) => busy(button, async () => {
      try {
        await proof()
        done(true)
      } catch (err) {
        say(line, messageFor(err), 'error')
      }
    })
    form.addEventListener('submit', event => {
      event.preventDefault()
      const input = /** @type {HTMLInputElement} */ (find(form, `input[name=${field}]`))
      const value = input.value
      input.value = ''
      attempt(find(form, '#reauth-confirm'), () => auth.reauthenticate(byPassword ? { password: value } : { code: value }))
    }, { signal })
    find(form, '#reauth-passkey').addEventListener('click', () => attempt(find(form, '#reauth-passkey'), () => auth.reauthenticateWithPasskey()), { signal })
    find(form, '#reauth-sign-out').addEventListener('click', async () => {
      await auth.logout().catch(() => null)
      window.location.assign(`/login?redirect_to=${encodeURIComponent(window.location.pathname)}`)
    }, { signal })
    find(form, '#reauth-cancel').addEventListener('click', () => done(false), { signal })
    // Escape closes the dialog: a cancel.
    dialog.addEventListener('cancel', () => done(false), { signal })
    dialog.showModal()
    /** @type {HTMLElement | null} */
    const first = form.querySelector('input[required]') ?? form.querySelector('button:not([hidden])')
    first?.focus()
  })
}

/**
 * Runs `action`; when the server asks for a recent authentication first (AUTH_STEP_UP_REQUIRED),
 * asks the user to confirm it is them, then runs it once more. Declined: the original error.
 * @template T
 * @param {import('./client.d.ts').AuthClient} auth
 * @param {() => Promise<T>} action
 * @returns {Promise<T>}
 */
export async function withReauthentication (auth, action) {
  try {
    return await action()
  } catch (err) {
    if (/** @type {{ code?: string }} */ (err)?.code !== 'AUTH_STEP_UP_REQUIRED') throw err
    if (!(await confirmIdentity(auth, /** @type {{ methods?: import('./client.d.ts').ReauthMethod[] }} */ (err).methods ?? []))) throw err
    return action()
  }
}

/**
 * An element with attributes (or properties: `onclick`, `hidden`) and children.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {Array<Node | string>} children
 */
export function h (tag, props = {}, ...children) {
  const element = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (key in element && !key.includes('-')) /** @type {any} */ (element)[key] = value
    else element.setAttribute(key, value)
  }
  element.append(...children)
  return element
}

/**
 * The one-time token of a mail link (`#token=…`), taken out of the address bar and the history.
 * The fragment never reaches a server, and the pages use the token only on a click: a mail
 * scanner that opens or even renders the link changes nothing.
 */
export function takeLinkToken () {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token')
  window.history.replaceState(null, '', window.location.pathname)
  return token
}

/** @param {string | null} iso a date as the user reads it ("3 Dec 2026, 18:40"), or "never". */
export const when = iso => iso
  ? new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })
  : 'never'

/**
 * Buttons to copy `text` and to download it as a text file: for secrets shown once.
 * @param {string} text
 * @param {string} filename for the download
 * @param {string} what what the buttons copy and download, e.g. "key"
 */
export function keepButtons (text, filename, what) {
  const status = h('span', { className: 'hint', role: 'status' })
  const copy = h('button', { type: 'button', className: 'secondary' }, `Copy ${what}`)
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text)
      status.textContent = 'Copied.'
    } catch {
      status.textContent = 'Copying is not allowed here: select the text instead.'
    }
  })
  const download = h('button', { type: 'button', className: 'secondary' }, `Download ${what}`)
  download.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }))
    h('a', { href: url, download: filename }).click()
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
  })
  return h('p', { className: 'actions' }, copy, download, status)
}

/**
 * An authenticator key to type: blocks of four that never break apart, and its keep buttons.
 * @param {HTMLElement} box
 * @param {string} secret
 */
export function showKey (box, secret) {
  const blocks = secret.match(/.{1,4}/g) ?? []
  box.replaceChildren(
    h('code', { className: 'secret blocks' }, ...blocks.flatMap((b, i) => [...(i ? [' '] : []), h('span', {}, b)])),
    keepButtons(secret, 'authenticator-key.txt', 'key'))
}
