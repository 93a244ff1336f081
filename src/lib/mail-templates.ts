/** A mail's content: the text part carries every link in full; the HTML part is the same message. */
export interface MailContent {
  subject: string
  text: string
  html: string
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

/** Paragraphs of plain text, and at most one call to action: a link, shown in full in both parts. */
function mail (subject: string, paragraphs: string[], action?: { label: string, url: string }): MailContent {
  const text = [...paragraphs, ...(action ? [`${action.label}:\n${action.url}`] : [])].join('\n\n') + '\n'
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    ...paragraphs.map(p => `<p>${escapeHtml(p)}</p>`),
    ...(action ? [`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`, `<p style="font-size: small">${escapeHtml(action.url)}</p>`] : []),
    '</body></html>'
  ].join('\n')
  return { subject, text, html }
}

const IGNORE = 'If you did not ask for this, you can ignore this mail: nothing changes.'

export const templates = {
  passwordReset: (app: string, url: string, ttl: string) => mail(`${app}: reset your password`, [
    'Someone (hopefully you) asked to reset the password of this account.',
    `The link works once, for ${ttl}. Opening it changes nothing until you choose a new password.`,
    IGNORE
  ], { label: 'Choose a new password', url }),

  verifyEmail: (app: string, url: string, ttl: string) => mail(`${app}: confirm your email address`, [
    'Confirm that this address is yours.',
    `The link works once, for ${ttl}.`,
    IGNORE
  ], { label: 'Confirm this address', url }),

  emailChange: (app: string, url: string, ttl: string) => mail(`${app}: confirm your new email address`, [
    'Someone (hopefully you) asked to use this address for their account.',
    `The change takes effect when you confirm; the link works once, for ${ttl}.`,
    IGNORE
  ], { label: 'Confirm this address', url }),

  emailChangeNotice: (app: string, newEmail: string) => mail(`${app}: your email address is being changed`, [
    `A change of this account's email address to ${newEmail} was requested, with the account's password. It takes effect once the new address is confirmed.`,
    'If this was not you, change your password now and sign out of every device.'
  ]),

  accountExists: (app: string, url: string) => mail(`${app}: this address already has an account`, [
    'Someone tried to move another account to this address, but this address already has an account. Nothing was changed.',
    'If you have forgotten that account\'s password, use "Forgot password?" on the sign-in page.'
  ], { label: 'Sign in', url }),

  mfaEnabled: (app: string) => mail(`${app}: two-step sign-in is on`, [
    'An authenticator app was added to this account: signing in now takes a code from it. Every other device was signed out.',
    'If this was not you, reset your password now and tell us.'
  ]),

  mfaDisabled: (app: string) => mail(`${app}: two-step sign-in is off`, [
    "This account's authenticator was removed: signing in takes the password alone again.",
    'If this was not you, reset your password now and tell us.'
  ]),

  recoveryCodeUsed: (app: string) => mail(`${app}: a recovery code was used`, [
    'Someone signed in to this account with one of its recovery codes. Each code works once.',
    'If this was not you, reset your password now, and replace your recovery codes.'
  ]),

  identityLinked: (app: string, provider: string, email: string) => mail(`${app}: ${provider} sign-in was added`, [
    `A ${provider} account${email ? ` (${email})` : ''} was linked to this account: it can now sign in with it.`,
    'If this was not you, unlink it from the security page, change your password, and sign out of every device.'
  ]),

  passkeyAdded: (app: string, name: string) => mail(`${app}: a passkey was added`, [
    `A passkey ("${name}") was added to this account: it can now sign in with it.`,
    'If this was not you, remove it from the security page, change your password, and sign out of every device.'
  ]),

  passwordChanged: (app: string) => mail(`${app}: your password was changed`, [
    "This account's password was just changed, and every device was signed out.",
    'If this was not you, reset your password now and tell us.'
  ]),

  /** A reset that took over an account whose address nobody had proven: what else it removed. */
  passwordResetTakeover: (app: string) => mail(`${app}: your password was set`, [
    'Your password was set, your email address is confirmed, and every device was signed out.',
    'This address had not been confirmed before, so anyone could have created the account with it: every passkey, linked sign-in provider and authenticator app on the account was removed. Add your own again from the security page.',
    'If this was not you, reset your password now and tell us.'
  ]),

  accountDeleted: (app: string) => mail(`${app}: your account was deleted`, [
    'Your account and everything it held were deleted at your request. Nothing is left to sign in to.',
    'If this was not you, tell us at once: someone had access to your account.'
  ])
}

/** "30 minutes", "24 hours": a lifetime in words for a mail. */
export function humanDuration (seconds: number): string {
  const [n, unit] = seconds % 86400 === 0 && seconds >= 172800
    ? [seconds / 86400, 'day']
    : seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second']
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}
