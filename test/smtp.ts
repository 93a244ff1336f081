import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface SmtpSink {
  port: number
  /** For each mail received, whether its session had upgraded to TLS (STARTTLS). */
  secure: boolean[]
  /** The app's SMTP_URL for this server. */
  url: string
  /** Every mail received, parsed. */
  inbox: ParsedMail[]
  /** Resolves with the first mail to `to` whose subject matches, once it has arrived. */
  mailTo (to: string, subject?: RegExp): Promise<ParsedMail>
  close (): Promise<void>
}

/**
 * A real SMTP server on loopback (no auth), as a mail provider's would be: without TLS, or with
 * `tls` (a key and certificate) offering STARTTLS.
 */
export async function startSmtpSink (port = 0, tls?: { key: string, cert: string }): Promise<SmtpSink> {
  const inbox: ParsedMail[] = []
  const secure: boolean[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...tls,
    logger: false,
    onData (stream, session, callback) {
      simpleParser(stream).then(mail => { inbox.push(mail); secure.push(session.secure); callback() }, callback)
    }
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  const bound = (server.server.address() as AddressInfo).port
  const find = (to: string, subject?: RegExp) => inbox.find(m => m.to !== undefined &&
    JSON.stringify(m.to).includes(to) && (!subject || subject.test(m.subject ?? '')))
  return {
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    inbox,
    secure,
    async mailTo (to, subject) {
      // Delivery is asynchronous (the outbox's sender); the test's own timeout bounds the wait.
      for (;;) {
        const mail = find(to, subject)
        if (mail) return mail
        await sleep(10)
      }
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}

/** The one-time token in a mail's link to `page` (`…/page#token=…`). */
export function tokenIn (mail: ParsedMail, page: string): string {
  const match = new RegExp(`/${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '')
  if (!match?.[1]) throw new Error(`no ${page} link in: ${mail.text}`)
  return match[1]
}
