// Security: the password, two-step sign-in (an authenticator app and recovery codes), passkeys,
// and the provider accounts linked to this one.
import { messageFor } from '/messages.js'
import { busy, confirmIdentity, find, h, keepButtons, onSubmit, showKey, when, withReauthentication } from '/ui-lib.js'

/** @type {import('./types.d.ts').Page} */
export default async function security ({ auth, user, view, pageStatus }) {
  const $ = (/** @type {string} */ id) => find(view, `#${id}`)
  const form = $
  // Adding or removing a way to sign in asks the user to confirm it is them when the session is
  // not fresh (AUTH_STEP_UP_REQUIRED), then goes on.
  /**
   * @template T
   * @param {() => Promise<T>} action
   */
  const confirmed = action => withReauthentication(auth, action)

  onSubmit(form('change-password'), async ({ currentPassword, newPassword }) => {
    await auth.changePassword({ currentPassword, newPassword })
    return 'Your password is changed. Your other devices were signed out.'
  })

  // Two-step sign-in.
  /** @type {string | null} */
  let factorId = null
  /** Shows the codes once; they are gone from the page with the next render. */
  const showCodes = (/** @type {string[]} */ codes) => {
    $('recovery-codes').replaceChildren(...codes.map(code => h('li', {}, h('code', {}, code))))
    $('recovery-keep').replaceChildren(keepButtons(codes.join('\n'), 'recovery-codes.txt', 'codes'))
    $('recovery').hidden = false
  }
  async function showMfa () {
    const { factors, recoveryCodesLeft } = await auth.mfaStatus()
    factorId = factors[0]?.id ?? null
    $('mfa-state').textContent = factorId
      ? `On: every sign-in asks for a code from your authenticator app. ${recoveryCodesLeft} recovery ${recoveryCodesLeft === 1 ? 'code' : 'codes'} left.`
      : 'Off: your password alone signs you in.'
    $('mfa-state').dataset.kind = factorId ? 'success' : 'warning'
    form('enrol').hidden = Boolean(factorId)
    form('new-codes').hidden = !factorId
    form('disable-mfa').hidden = !factorId
  }
  onSubmit(form('enrol'), async () => {
    const enrolment = await confirmed(() => auth.enrolTotp())
    factorId = enrolment.factorId
    $('qr').src = enrolment.qrCode
    showKey($('totp-secret'), enrolment.secret)
    form('enrol').hidden = true
    form('activate').hidden = false
    form('activate').querySelector('input')?.focus()
  })
  onSubmit(form('activate'), async ({ code }) => {
    showCodes(await auth.activateTotp({ factorId: /** @type {string} */ (factorId), code }))
    form('activate').hidden = true
    $('totp-secret').replaceChildren()
    $('qr').removeAttribute('src')
    await showMfa()
    pageStatus('Two-step sign-in is on. Save your recovery codes below.', 'success')
  })
  onSubmit(form('new-codes'), async ({ code }) => {
    showCodes(await confirmed(() => auth.replaceRecoveryCodes({ code })))
    await showMfa()
    return 'New recovery codes below; the old ones no longer work.'
  })
  onSubmit(form('disable-mfa'), async ({ code }) => {
    await confirmed(() => auth.removeTotp({ factorId: /** @type {string} */ (factorId), code }))
    $('recovery').hidden = true
    await showMfa()
    pageStatus('Two-step sign-in is off.', 'success')
  })

  // Passkeys.
  let passkeyCount = 0
  async function showPasskeys () {
    const passkeys = await auth.passkeys()
    passkeyCount = passkeys.length
    $('passkeys').replaceChildren(...passkeys.map(passkey => {
      const remove = h('button', { type: 'button', className: 'secondary', 'aria-label': `Remove ${passkey.name}` }, 'Remove')
      remove.addEventListener('click', () => busy(remove, async () => {
        try {
          await confirmed(() => auth.removePasskey({ id: passkey.id }))
          await showPasskeys()
          pageStatus(`${passkey.name} is removed.`, 'success')
        } catch (err) {
          pageStatus(messageFor(err), 'error')
        }
      }))
      const rename = h('form', { className: 'inline' },
        h('label', {}, h('span', {}, `New name for ${passkey.name}`), h('input', { name: 'name', value: passkey.name, maxLength: 100, required: true })),
        h('button', { type: 'submit', className: 'secondary' }, 'Rename'),
        h('p', { className: 'status', role: 'status' }))
      onSubmit(/** @type {HTMLFormElement} */ (rename), async ({ name }) => {
        await auth.renamePasskey({ id: passkey.id, name })
        await showPasskeys()
        pageStatus(`Renamed to ${name}.`, 'success')
      })
      return h('li', { className: 'item' },
        h('div', {},
          h('p', { className: 'item-title' }, passkey.name, ...(passkey.backedUp ? [' ', h('span', { className: 'badge' }, 'Synced')] : [])),
          h('p', { className: 'hint' }, `Added ${when(passkey.createdAt)} · last used ${when(passkey.lastUsedAt)}`),
          h('details', {}, h('summary', {}, 'Rename'), rename)),
        remove)
    }))
    if (!passkeys.length) $('passkeys').replaceChildren(h('li', { className: 'hint' }, 'No passkey yet.'))
  }
  onSubmit(form('add-passkey'), async ({ name }) => {
    const passkey = await confirmed(() => auth.addPasskey({ name: name.trim() || undefined }))
    form('add-passkey').reset()
    await showPasskeys()
    return `${passkey.name} is added: you can sign in with it.`
  })

  // Linked accounts: shown when the server has providers.
  const providers = await auth.providers()
  const providerName = (/** @type {string} */ id) => providers.find(p => p.id === id)?.name ?? id
  /** @type {import('../client.d.ts').Identity[]} */
  let identities = []
  async function showIdentities () {
    identities = await auth.identities()
    $('identities').replaceChildren(...identities.map(identity => {
      const unlink = h('button', { type: 'button', className: 'secondary', 'aria-label': `Unlink ${providerName(identity.provider)} account ${identity.email}` }, 'Unlink')
      unlink.addEventListener('click', () => busy(unlink, async () => {
        try {
          await confirmed(() => auth.unlinkIdentity({ id: identity.id }))
          await showIdentities()
          pageStatus(`The ${providerName(identity.provider)} account is unlinked.`, 'success')
        } catch (err) {
          pageStatus(messageFor(err), 'error')
        }
      }))
      return h('li', { className: 'item' },
        h('div', {}, h('p', { className: 'item-title' }, `${providerName(identity.provider)}: ${identity.email}`), h('p', { className: 'hint' }, `Linked ${when(identity.createdAt)}`)),
        unlink)
    }))
  }
  const linkUrl = (/** @type {string} */ provider) => auth.providerSignInUrl(provider, { redirectTo: `/account/security?notice=linked&link=${encodeURIComponent(provider)}`, link: true })
  if (providers.length) {
    $('identities-section').hidden = false
    // The provider brings the browser back here: ?notice=linked, or ?error=CODE.
    $('link-buttons').replaceChildren(...providers.map(p => h('li', {},
      h('a', { className: 'button secondary', href: linkUrl(p.id) }, `Link a ${p.name} account`))))
  }
  await Promise.all([showMfa(), showPasskeys(), providers.length ? showIdentities() : null])

  // A link start refused for want of a recent authentication comes back with the provider it
  // was for: confirm, then start it again.
  const query = new URLSearchParams(window.location.search)
  const linking = query.get('link')
  if (query.get('error') === 'AUTH_STEP_UP_REQUIRED' && linking && providers.some(p => p.id === linking)) {
    /** @type {import('../client.d.ts').ReauthMethod[]} */
    const methods = [
      ...(user?.hasPassword ? /** @type {const} */ (['password']) : []),
      ...(factorId ? /** @type {const} */ (['totp', 'recovery_code']) : []),
      ...(passkeyCount ? /** @type {const} */ (['passkey']) : []),
      ...(identities.length ? /** @type {const} */ (['provider']) : [])
    ]
    if (await confirmIdentity(auth, methods)) window.location.assign(linkUrl(linking))
  }
}
