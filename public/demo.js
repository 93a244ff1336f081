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
      status(`${err.code}: ${err.message}`)
    }
  })
}

onSubmit('register', auth.register)
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
