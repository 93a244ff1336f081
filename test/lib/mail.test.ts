import t from 'tap'
import { MAIL_PER_WINDOW, nextQuota, retryDelayMs } from '../../src/lib/mail-policy.js'
import { humanDuration, templates } from '../../src/lib/mail-templates.js'

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms)

t.test('one mail a minute and five an hour per address and kind', async t => {
  let quota = nextQuota(null, at(0))
  t.same(quota, { lastAt: at(0), windowStart: at(0), count: 1 })
  t.equal(nextQuota(quota, at(59_999)), null, 'within the minute')
  for (let i = 1; i < MAIL_PER_WINDOW; i++) {
    quota = nextQuota(quota, at(i * 60_000))
    t.equal(quota?.count, i + 1)
  }
  t.equal(nextQuota(quota, at(MAIL_PER_WINDOW * 60_000)), null, 'the hour is used up')
  t.same(nextQuota(quota, at(3600_000)), { lastAt: at(3600_000), windowStart: at(3600_000), count: 1 }, 'a new hour')
})

t.test('retries back off from 30 s, doubling, to an hour at most', async t => {
  t.same([1, 2, 3, 4, 20].map(retryDelayMs), [30_000, 60_000, 120_000, 240_000, 3600_000])
})

t.test('mail content: every link in full in the text part, escaped in the HTML part', async t => {
  const url = 'https://auth.example.com/reset-password#token=abc&x=<y>'
  const mail = templates.passwordReset('Acme <Auth>', url, '30 minutes')
  t.equal(mail.subject, 'Acme <Auth>: reset your password')
  t.match(mail.text, `\n${url}\n`)
  t.match(mail.text, '30 minutes')
  t.notMatch(mail.html, /<y>|<Auth>/, 'no markup from the inputs')
  t.match(mail.html, 'href="https://auth.example.com/reset-password#token=abc&#38;x=&#60;y&#62;"')
  t.same([humanDuration(1800), humanDuration(86400), humanDuration(172800), humanDuration(3600), humanDuration(61)], ['30 minutes', '24 hours', '2 days', '1 hour', '61 seconds'])
})
