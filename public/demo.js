import { createAuthClient } from '/client.js'
import { messageFor } from '/messages.js'

const $ = id => document.getElementById(id)
const auth = createAuthClient({ onLogout: () => show(null) })
globalThis.auth = auth

/** @param {'info' | 'success' | 'error'} kind: errors and successes look different. */
function status (text, kind = 'info') {
  $('status').textContent = text
  $('status').dataset.kind = kind
}

/** Where to go once signed in: the redirect_to of /login, which the server checked before serving this page. */
const redirectTo = window.location.pathname === '/login' ? new URLSearchParams(window.location.search).get('redirect_to') : null
/** Where a provider sends the browser back: this page, redirect_to kept. */
const here = redirectTo ? `/login?redirect_to=${encodeURIComponent(redirectTo)}` : '/'

async function show (user) {
  if (user && redirectTo) {
    window.location.assign(redirectTo)
    return
  }
  $('signed-out').hidden = Boolean(user)
  $('signed-in').hidden = !user
  if (!user) return
  $('who').textContent = user.email
  $('verified').textContent = user.emailVerified ? 'confirmed' : 'not confirmed yet'
  $('resend').hidden = user.emailVerified
  const fields = [['Name', user.name || '(none)'], ['Email', user.email], ['Roles', user.roles.join(', ')], ['Member since', new Date(user.createdAt).toLocaleDateString()]]
  $('profile').replaceChildren(...fields.flatMap(([term, value]) => {
    const dt = document.createElement('dt')
    const dd = document.createElement('dd')
    dt.textContent = term
    dd.textContent = value
    return [dt, dd]
  }))
  await showMfa()
  await showIdentities()
  await showPasskeys()
  const list = $('sessions')
  list.replaceChildren()
  for (const s of await auth.sessions()) {
    const li = document.createElement('li')
    // The browser and system the server read from the user agent; the raw string on hover.
    const device = s.browser ? `${s.browser}${s.os ? ` on ${s.os}` : ''}` : (s.os || 'Unknown device')
    li.textContent = `${s.current ? '(this device) ' : ''}${device} · ${s.ip} · last used ${new Date(s.lastUsedAt).toLocaleString()} `
    li.title = s.userAgent
    if (!s.current) {
      const button = document.createElement('button')
      button.textContent = 'Revoke'
      button.addEventListener('click', async () => { await auth.revokeSession(s.id); await show(await auth.me()) })
      li.append(button)
    }
    list.append(li)
  }
}

/** @type {Array<{ id: string, name: string }>} */
let providers = []
const providerName = id => providers.find(p => p.id === id)?.name ?? id

/** A link that starts a provider round trip (a navigation: the provider's page, then back here). */
function providerLink (provider, label, link) {
  const li = document.createElement('li')
  const a = document.createElement('a')
  a.className = 'button'
  a.href = auth.providerSignInUrl(provider.id, { redirectTo: link ? '/' : here, link })
  a.textContent = label
  li.append(a)
  return li
}

async function showProviders () {
  providers = await auth.providers()
  $('provider-buttons').replaceChildren(...providers.map(p => providerLink(p, `Continue with ${p.name}`, false)))
}

async function showPasskeys () {
  const passkeys = await auth.passkeys()
  $('passkeys').replaceChildren(...passkeys.map(passkey => {
    const li = document.createElement('li')
    li.textContent = `${passkey.name}${passkey.backedUp ? ' (synced)' : ''} · added ${new Date(passkey.createdAt).toLocaleDateString()} · ${passkey.lastUsedAt ? `last used ${new Date(passkey.lastUsedAt).toLocaleString()}` : 'never used'} `
    const button = document.createElement('button')
    button.textContent = 'Remove'
    button.addEventListener('click', async () => {
      try {
        await auth.removePasskey(passkey.id)
        await showPasskeys()
      } catch (err) {
        status(messageFor(err), 'error')
      }
    })
    li.append(button)
    return li
  }))
}

async function showIdentities () {
  const identities = await auth.identities()
  $('identities').replaceChildren(...identities.map(identity => {
    const li = document.createElement('li')
    li.textContent = `${providerName(identity.provider)}: ${identity.email} `
    const button = document.createElement('button')
    button.textContent = 'Unlink'
    button.addEventListener('click', async () => {
      try {
        await auth.unlinkIdentity(identity.id)
        await showIdentities()
      } catch (err) {
        status(messageFor(err), 'error')
      }
    })
    li.append(button)
    return li
  }))
  $('link-buttons').replaceChildren(...providers.map(p => providerLink(p, `Link a ${p.name} account`, true)))
}

let mfaToken = null

function afterProvider () {
  const query = new URLSearchParams(window.location.search)
  const error = query.get('error')
  if (error) status(messageFor({ code: error }), 'error')
  if (query.get('mfa') === 'required') {
    // The challenge is in an HttpOnly cookie: verifyMfa(null, code).
    $('second-step').hidden = false
    status('Enter the code from your authenticator app.')
  }
  if (error || query.has('mfa')) {
    // Out of the address bar; redirect_to stays.
    query.delete('error')
    query.delete('mfa')
    const rest = query.toString()
    window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''))
  }
}

async function showMfa () {
  const { factors, recoveryCodesLeft } = await auth.mfaStatus()
  $('mfa-status').textContent = factors.length
    ? `On: an authenticator app, and ${recoveryCodesLeft} recovery codes left.`
    : 'Off: signing in takes your password alone.'
  $('enrol').hidden = factors.length > 0
}

function onSubmit (form, action) {
  $(form).addEventListener('submit', async event => {
    event.preventDefault()
    const data = new FormData(event.target)
    // The password leaves the page's fields once sent, whatever the answer.
    event.target.elements.password.value = ''
    const button = event.target.querySelector('button[type=submit]')
    button.disabled = true
    button.setAttribute('aria-busy', 'true')
    try {
      const result = await action(data.get('email'), data.get('password'))
      if (result.tokenType === 'None') {
        status('Account created. Confirm your address with the link we mailed you, then log in.')
        return
      }
      status('')
      await show(result.user)
    } catch (err) {
      if (err.code === 'AUTH_MFA_REQUIRED') {
        mfaToken = err.mfa.token
        $('second-step').hidden = false
        status('Enter the code from your authenticator app.')
        return
      }
      status(messageFor(err), 'error')
    } finally {
      button.disabled = false
      button.removeAttribute('aria-busy')
    }
  })
}

onSubmit('register', auth.register)
$('second-step').addEventListener('submit', async event => {
  event.preventDefault()
  try {
    const { user } = await auth.verifyMfa(mfaToken, new FormData(event.target).get('code'))
    $('second-step').hidden = true
    event.target.reset()
    status('')
    await show(user)
  } catch (err) {
    status(messageFor(err), 'error')
    if (err.code === 'AUTH_MFA_CHALLENGE_INVALID') $('second-step').hidden = true
  }
})
let factorId = null
$('enrol').addEventListener('click', async () => {
  try {
    const enrolment = await auth.enrolTotp()
    factorId = enrolment.factorId
    $('qr').src = enrolment.qrCode
    $('totp-secret').textContent = enrolment.secret
    $('activate').hidden = false
  } catch (err) {
    status(messageFor(err), 'error')
  }
})
$('activate').addEventListener('submit', async event => {
  event.preventDefault()
  try {
    const codes = await auth.activateTotp(factorId, new FormData(event.target).get('code'))
    $('activate').hidden = true
    $('recovery-codes').replaceChildren(...codes.map(c => {
      const li = document.createElement('li')
      li.textContent = c
      return li
    }))
    $('recovery').hidden = false
    await showMfa()
  } catch (err) {
    status(messageFor(err), 'error')
  }
})
onSubmit('login', auth.login)
$('reload').addEventListener('click', async () => {
  try { await show(await auth.me()) } catch (err) { status(messageFor(err), 'error') }
})
$('logout').addEventListener('click', async () => { await auth.logout(); await show(null); status('You are signed out.', 'success') })

$('show-forgot').addEventListener('click', event => {
  event.preventDefault()
  $('forgot').hidden = false
})
$('forgot').addEventListener('submit', async event => {
  event.preventDefault()
  try {
    await auth.forgotPassword(new FormData(event.target).get('email'))
    status('If this address has an account, a reset link is on its way.')
  } catch (err) {
    status(messageFor(err), 'error')
  }
})
$('resend').addEventListener('click', async () => {
  try {
    await auth.resendVerification()
    status('A confirmation link is on its way.')
  } catch (err) {
    status(messageFor(err), 'error')
  }
})

$('passkey-login').addEventListener('click', async () => {
  try {
    const { user } = await auth.signInWithPasskey()
    status('')
    await show(user)
  } catch (err) {
    if (err.code === 'AUTH_MFA_REQUIRED') {
      mfaToken = err.mfa.token
      $('second-step').hidden = false
      status('Enter the code from your authenticator app.')
      return
    }
    status(`${err.code ?? err.name}: ${err.message}`)
  }
})
$('add-passkey').addEventListener('submit', async event => {
  event.preventDefault()
  try {
    await auth.addPasskey(new FormData(event.target).get('name') || undefined)
    event.target.reset()
    await showPasskeys()
  } catch (err) {
    status(`${err.code ?? err.name}: ${err.message}`)
  }
})

afterProvider()
showProviders().catch(() => {}).then(() => auth.session()).then(show, () => show(null))
