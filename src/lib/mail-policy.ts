/** The mails limited per address, each with its own quota. */
export const LIMITED_MAILS = ['verify_email', 'password_reset', 'email_change', 'account_exists'] as const
export type LimitedMail = typeof LIMITED_MAILS[number]

/** How often mail of one kind may go to one address: at most one a minute and five an hour. */
export const MAIL_COOLDOWN_MS = 60_000
export const MAIL_WINDOW_MS = 3600_000
export const MAIL_PER_WINDOW = 5

export interface MailQuota {
  /** When the last mail of this kind went to this address. */
  lastAt: Date
  /** Start of the current hour-long window, and the mails sent in it. */
  windowStart: Date
  count: number
}

/**
 * The quota after one more mail at `now`, or null when that mail must not be sent (silently:
 * answers never tell whether a mail went out).
 */
export function nextQuota (prev: MailQuota | null, now: Date): MailQuota | null {
  if (!prev) return { lastAt: now, windowStart: now, count: 1 }
  if (now.getTime() - prev.lastAt.getTime() < MAIL_COOLDOWN_MS) return null
  if (now.getTime() - prev.windowStart.getTime() >= MAIL_WINDOW_MS) return { lastAt: now, windowStart: now, count: 1 }
  if (prev.count >= MAIL_PER_WINDOW) return null
  return { lastAt: now, windowStart: prev.windowStart, count: prev.count + 1 }
}

/** Delivery attempts before a mail is given up. */
export const MAIL_MAX_ATTEMPTS = 8

/** Wait before the next delivery attempt after `attempts` failures: 30 s, 1, 2, 4 … min, at most an hour. */
export const retryDelayMs = (attempts: number): number => Math.min(3600_000, 30_000 * 2 ** Math.max(0, attempts - 1))
