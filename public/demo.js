import { createAuthClient } from '/client.js'

const $ = id => document.getElementById(id)
const auth = createAuthClient({ onLogout: () => show(null) })
globalThis.auth = auth

function status (text) { $('status').textContent = text }

async function show (user) {
  $('signed-out').hidden = Boolean(user)
  $('signed-in').hidden = !user
  if (!user) return
  $('who').textContent = user.email
  $('verified').textContent = user.emailVerified ? 'confirmed' : 'not confirmed yet'
  $('resend').hidden = user.emailVerified
  $('profile').textContent = JSON.stringify(user, null, 2)
  await showMfa()
  const list = $('sessions')
  list.replaceChildren()
  for (const s of await auth.sessions()) {
    const li = document.createElement('li')
    li.textContent = `${s.current ? '(this device) ' : ''}${s.userAgent.slice(0, 60) || 'unknown agent'} · ${s.ip} · last used ${new Date(s.lastUsedAt).toLocaleString()} `
    if (!s.current) {
      const button = document.createElement('button')
      button.textContent = 'Revoke'
      button.addEventListener('click', async () => { await auth.revokeSession(s.id); await show(await auth.me()) })
      li.append(button)
    }
    list.append(li)
  }
}

let mfaToken = null

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
      status(`${err.code}: ${err.message}`)
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
    status(`${err.code}: ${err.message}`)
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
    status(`${err.code}: ${err.message}`)
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
    status(`${err.code}: ${err.message}`)
  }
})
onSubmit('login', auth.login)
$('reload').addEventListener('click', async () => {
  try { await show(await auth.me()) } catch (err) { status(`${err.code}: ${err.message}`) }
})
$('logout').addEventListener('click', async () => { await auth.logout(); await show(null); status('Logged out') })

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
    status(`${err.code}: ${err.message}`)
  }
})
$('resend').addEventListener('click', async () => {
  try {
    await auth.resendVerification()
    status('A confirmation link is on its way.')
  } catch (err) {
    status(`${err.code}: ${err.message}`)
  }
})

auth.me().then(show, () => show(null))
