import t from 'tap'
import { MAIL_MAX_ATTEMPTS } from '../../src/lib/mail-policy.js'
import { buildWithLogs, newDbName, registerBearer } from '../helper.js'
import { startSmtpSink } from '../smtp.js'

const LATER = () => new Date(Date.now() + 2 * 3600_000)

t.test('a mail queued while SMTP is down survives a restart, is retried, and goes out once', async t => {
  // A port with no SMTP server on it yet: the sink is started there later.
  const probe = await startSmtpSink()
  const port = probe.port
  await probe.close()
  const dbName = newDbName()
  const smtpUrl = `smtp://127.0.0.1:${port}`

  const first = await buildWithLogs(t, { SMTP_URL: smtpUrl }, { dbName })
  const { user } = await registerBearer(first.app)
  const outbox = first.app.mongo.collection('outbox')
  // The sender tries at once, fails, and schedules a retry.
  for (;;) {
    const mail = await outbox.findOne({ to: user.email })
    if (mail && mail.attempts === 1 && mail.lockedUntil === null) break
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const failed = await outbox.findOne({ to: user.email })
  t.match(failed, { status: 'pending', attempts: 1, lastError: /ECONNREFUSED|connect/ })
  t.ok(failed?.nextAttemptAt > new Date(), 'the retry waits (backoff)')
  t.ok(first.logs.some(l => l.msg === 'mail not sent; will retry'), 'logged')
  await first.app.close()

  // Two servers of one deployment, restarted, with SMTP back.
  const smtp = await startSmtpSink(port)
  t.teardown(() => smtp.close())
  const a = (await buildWithLogs(t, { SMTP_URL: smtpUrl }, { dbName })).app
  const b = (await buildWithLogs(t, { SMTP_URL: smtpUrl }, { dbName })).app
  const sent = await Promise.all([a.outbox.deliverDue(LATER()), b.outbox.deliverDue(LATER())])
  t.equal(sent[0]! + sent[1]!, 1, 'one of the two servers sent it')
  await smtp.mailTo(user.email, /confirm your email/)
  t.same(await Promise.all([a.outbox.deliverDue(LATER()), b.outbox.deliverDue(LATER())]), [0, 0], 'nothing left to send')
  t.equal(smtp.inbox.length, 1, 'delivered exactly once')
  t.match(await a.mongo.collection('outbox').findOne({ to: user.email }), { status: 'sent', attempts: 2, text: null, html: null })
})

t.test('without SMTP_URL, mail is logged (development), not sent', async t => {
  const { app, logs } = await buildWithLogs(t)
  const { user } = await registerBearer(app)
  for (;;) {
    if ((await app.mongo.collection('outbox').countDocuments({ to: user.email, status: 'sent' })) === 1) break
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const lines = logs.filter(l => String(l.msg).startsWith('Mail NOT sent (SMTP_URL is not set)'))
  t.equal(lines.length, 1, 'logged once')
  t.match(lines[0], { level: 30, to: user.email, subject: /confirm your email/, links: [/^http:\/\/localhost:3000\/verify-email#token=/] })
  t.match(lines[0]!.msg, new RegExp(`to ${user.email}: ".*confirm your email.*"\\n  `), 'readable as it stands: the mail\'s text, indented under its subject')
  t.match(lines[0]!.msg, /\n {2}http:\/\/localhost:3000\/verify-email#token=[\w-]+(\n|$)/, 'the link on a line of its own')
  t.notOk(logs.some(l => l.msg === 'mail sent'), 'nothing claims it was sent')
})

t.test('a mail that keeps failing is given up, its body erased', async t => {
  const probe = await startSmtpSink()
  await probe.close()
  const { app, logs } = await buildWithLogs(t, { SMTP_URL: `smtp://127.0.0.1:${probe.port}` })
  const { user } = await registerBearer(app)
  const outbox = app.mongo.collection('outbox')
  for (;;) {
    const mail = await outbox.findOne({ to: user.email })
    if (mail && mail.attempts === 1 && mail.lockedUntil === null) break
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  await outbox.updateOne({ to: user.email }, { $set: { attempts: MAIL_MAX_ATTEMPTS - 1 } })
  t.equal(await app.outbox.deliverDue(LATER()), 0)
  t.match(await outbox.findOne({ to: user.email }), { status: 'failed', attempts: MAIL_MAX_ATTEMPTS, text: null, html: null })
  t.ok(logs.some(l => l.msg === 'mail given up' && l.level === 50), 'logged as an error')
})

t.test('two requests at once for one address: one mail', async t => {
  const { app } = await buildWithLogs(t)
  const { user } = await registerBearer(app)
  const forgot = () => app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email: user.email } })
  const answers = await Promise.all([forgot(), forgot(), forgot()])
  t.same(answers.map(a => a.statusCode), [202, 202, 202])
  await app.emailService.settled()
  t.equal(await app.mongo.collection('outbox').countDocuments({ to: user.email, subject: /reset/ }), 1)
})

t.test('at boot, an SMTP server that cannot be reached is one warning naming its host; the server starts anyway', async t => {
  const probe = await startSmtpSink()
  await probe.close()
  const { app, logs } = await buildWithLogs(t, { SMTP_URL: `smtp://user:secret-pw@127.0.0.1:${probe.port}` })
  let warning: Record<string, unknown> | undefined
  while (!warning) {
    warning = logs.find(l => String(l.msg).startsWith(`SMTP_URL (127.0.0.1:${probe.port})`))
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  t.equal(warning.level, 40)
  t.notMatch(JSON.stringify(logs), /secret-pw/, 'the password is never logged')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'started')
  t.equal(logs.filter(l => String(l.msg).startsWith('SMTP_URL')).length, 1, 'one warning')
})
