import type { FastifyBaseLogger } from 'fastify'
import type { Types } from 'mongoose'
import { emailKey } from '../../models/email-claim.js'
import type { MailQuotaModel, OutboxModel } from '../../models/outbox.js'
import { LIMITED_MAILS, MAIL_MAX_ATTEMPTS, nextQuota, retryDelayMs, type LimitedMail } from '../lib/mail-policy.js'
import type { MailContent } from '../lib/mail-templates.js'

/** What delivers a mail: nodemailer's transport, or the development log. */
export interface MailTransport {
  sendMail (mail: { from: string, to: string, subject: string, text: string, html: string }): Promise<unknown>
}

/** How long a sender holds a claimed mail before another may retry it (a crashed sender). */
const CLAIM_MS = 120_000
/** Mails one delivery round sends at most, so a backlog does not hold the event loop's attention. */
const BATCH = 50

/** What the development transport answers: the mail was shown in the log, not sent. */
const LOGGED = Symbol('logged, not sent')

/**
 * Without SMTP_URL (development): one info line per mail, readable as it stands (who, what, and
 * the text part as the recipient would read it, with every link and code), instead of sending it.
 */
export function logTransport (log: FastifyBaseLogger): MailTransport {
  return {
    async sendMail ({ to, subject, text }) {
      const links = text.match(/https?:\/\/\S+/g) ?? []
      const body = text.trim().split('\n').map(line => line ? `\n  ${line}` : '\n').join('')
      log.info({ to, subject, links }, `Mail NOT sent (SMTP_URL is not set) to ${to}: "${subject}"${body}`)
      return LOGGED
    }
  }
}

/**
 * Mail goes through an outbox in MongoDB, never out of a request: a request only inserts it (so
 * a known address answers no slower than an unknown one), and a background sender delivers it
 * with retries and backoff. A mail survives a restart; with several instances, each mail is
 * claimed by one sender (compare-and-swap on `lockedUntil`).
 */
export function createOutbox (opts: { outbox: OutboxModel, quotas: MailQuotaModel, transport: MailTransport, from: string, log: FastifyBaseLogger, onMail: (event: 'queued' | 'sent' | 'failed') => void }) {
  const { outbox, quotas, transport, from, log } = opts
  const counted = opts.onMail
  let round: Promise<number> | undefined
  let closed = false

  /** Claims and sends the mails due at `now`, one at a time; resolves to how many went out. */
  async function deliverDue (now = new Date()): Promise<number> {
    let sent = 0
    for (let i = 0; i < BATCH; i++) {
      const mail = await outbox.findOneAndUpdate(
        { status: 'pending', nextAttemptAt: { $lte: now }, $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] },
        { $set: { lockedUntil: new Date(now.getTime() + CLAIM_MS) }, $inc: { attempts: 1 } },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' }
      ).lean()
      if (!mail) break
      try {
        const outcome = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text ?? '', html: mail.html ?? '' })
        // The body may hold a one-time link: erased once delivered (or shown in the log).
        await outbox.updateOne({ _id: mail._id }, { $set: { status: 'sent', sentAt: new Date(), lockedUntil: null, text: null, html: null } })
        // Only a mail that went out is said to be sent.
        if (outcome !== LOGGED) {
          counted('sent')
          log.info({ mailId: mail._id, to: mail.to, subject: mail.subject }, 'mail sent')
        }
        sent++
      } catch (err) {
        const giveUp = mail.attempts >= MAIL_MAX_ATTEMPTS
        const update = giveUp
          ? { status: 'failed' as const, lockedUntil: null, text: null, html: null, lastError: String((err as Error).message) }
          : { nextAttemptAt: new Date(now.getTime() + retryDelayMs(mail.attempts)), lockedUntil: null, lastError: String((err as Error).message) }
        await outbox.updateOne({ _id: mail._id }, { $set: update })
        log[giveUp ? 'error' : 'warn']({ mailId: mail._id, attempts: mail.attempts, err }, giveUp ? 'mail given up' : 'mail not sent; will retry')
        if (giveUp) counted('failed')
      }
    }
    return sent
  }

  /** One background round at a time in this process; a round asked for meanwhile runs after it. */
  function kick (): void {
    if (closed) return
    round = (round ?? Promise.resolve(0)).then(() => deliverDue()).catch((err: unknown) => {
      log.error({ err }, 'mail delivery round failed')
      return 0
    })
  }

  return {
    /** Queues a mail; the background sender picks it up at once. */
    async enqueue (to: string, content: MailContent): Promise<Types.ObjectId> {
      const { _id } = await outbox.create({ to, ...content, nextAttemptAt: new Date() })
      counted('queued')
      setImmediate(kick)
      return _id
    },

    /**
     * Whether one more mail of `kind` may go to `email` now (at most one a minute and five an
     * hour); counts it if so. Callers say nothing either way.
     */
    async allow (kind: LimitedMail, email: string, now = new Date()): Promise<boolean> {
      const _id = emailKey(`${kind}:${email}`)
      const prev = await quotas.findById(_id).lean()
      const next = nextQuota(prev, now)
      if (!next) return false
      try {
        const written = prev
          ? await quotas.updateOne({ _id, lastAt: prev.lastAt }, { $set: next })
          : await quotas.create({ _id, ...next })
        // A concurrent request counted first: this one is the extra mail.
        return 'matchedCount' in written ? written.matchedCount === 1 : true
      } catch (err) {
        if ((err as { code?: unknown }).code === 11000) return false
        throw err
      }
    },

    /** Drops the mail queued to these addresses and their quotas: a deleted account leaves neither. */
    async forget (addresses: readonly string[]): Promise<void> {
      const quotaIds = addresses.flatMap(email => LIMITED_MAILS.map(kind => emailKey(`${kind}:${email}`)))
      await Promise.all([outbox.deleteMany({ to: { $in: addresses } }), quotas.deleteMany({ _id: { $in: quotaIds } })])
    },

    deliverDue,

    /** Starts the background sender: a round now, then one every `intervalMs` for retries. */
    start (intervalMs: number): () => Promise<void> {
      kick()
      const timer = setInterval(kick, intervalMs).unref()
      return async () => {
        closed = true
        clearInterval(timer)
        await round
      }
    }
  }
}

export type Outbox = ReturnType<typeof createOutbox>
