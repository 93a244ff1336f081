import { generate } from 'otplib'
import t from 'tap'
import { hashRecoveryCode, newRecoveryCode, newRecoveryCodes, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from '../../src/lib/recovery-codes.js'
import { createSecretBox, deriveKey } from '../../src/lib/secret-box.js'
import { acceptedTotpStep, newTotpSecret, normalizeTotpCode, totpUri } from '../../src/lib/totp.js'

const SECRET = 'a configured encryption key, 32 characters or more'

t.test('keys derived per purpose are distinct and stable', async t => {
  t.same(deriveKey(SECRET, 'totp-secret'), deriveKey(SECRET, 'totp-secret'))
  t.notSame(deriveKey(SECRET, 'totp-secret'), deriveKey(SECRET, 'recovery-code'))
  t.equal(deriveKey(SECRET, 'totp-secret').length, 32)
})

t.test('the secret box opens only what it sealed, for the same context, unaltered', async t => {
  const box = createSecretBox(deriveKey(SECRET, 'totp-secret'))
  const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DP', 'user-1')
  t.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/)
  t.notMatch(sealed, /JBSWY3DP/, 'no plaintext in the sealed value')
  t.not(box.seal('JBSWY3DPEHPK3PXPJBSWY3DP', 'user-1'), sealed, 'a fresh IV each time')
  t.equal(box.open(sealed, 'user-1'), 'JBSWY3DPEHPK3PXPJBSWY3DP')
  t.throws(() => box.open(sealed, 'user-2'), 'another owner\'s context')
  t.throws(() => createSecretBox(deriveKey('another key of 32 characters or more', 'totp-secret')).open(sealed, 'user-1'), 'another key')
  const [v, iv, data, tag] = sealed.split('.') as [string, string, string, string]
  // The first character: all six of its bits are data (the last one's may be padding bits).
  const flipped = `${v}.${iv}.${data.startsWith('A') ? 'B' : 'A'}${data.slice(1)}.${tag}`
  t.throws(() => box.open(flipped, 'user-1'), 'altered ciphertext')
  t.throws(() => box.open('garbage', 'user-1'), /not a sealed value/)
})

t.test('TOTP: ±1 step, and never a step at or before the last accepted one', async t => {
  const secret = newTotpSecret()
  t.match(secret, /^[A-Z2-7]{32}$/, '160 bits, base32')
  const now = new Date(Date.UTC(2026, 11, 3, 12, 0, 15))
  const step = Math.floor(now.getTime() / 30_000)
  const at = (offset: number) => generate({ secret, epoch: (step + offset) * 30 })
  t.equal(await acceptedTotpStep({ secret, code: await at(0), afterStep: 0, now }), step, 'the current step')
  t.equal(await acceptedTotpStep({ secret, code: await at(-1), afterStep: 0, now }), step - 1, 'one step late')
  t.equal(await acceptedTotpStep({ secret, code: await at(1), afterStep: 0, now }), step + 1, 'one step early')
  t.equal(await acceptedTotpStep({ secret, code: await at(2), afterStep: 0, now }), null, 'two steps away')
  t.equal(await acceptedTotpStep({ secret, code: await at(0), afterStep: step, now }), null, 'the same step again: a replay')
  t.equal(await acceptedTotpStep({ secret, code: await at(-1), afterStep: step, now }), null, 'an earlier step after a later one')
  const spaced = (await at(0)).replace(/^(\d{3})/, '$1 ')
  t.equal(normalizeTotpCode(spaced), await at(0))
  t.equal(await acceptedTotpStep({ secret, code: spaced, afterStep: 0, now }), step, 'spaces are ignored')
  for (const bad of ['', '12345', '1234567', 'abcdef']) t.equal(await acceptedTotpStep({ secret, code: bad, afterStep: 0, now }), null, `"${bad}"`)
  t.match(totpUri({ secret, issuer: 'Acme Auth', account: 'ada@example.com' }), new RegExp(`^otpauth://totp/Acme%20Auth:ada%40example\\.com\\?.*secret=${secret}`))
})

t.test('recovery codes: random, readable, normalised, stored as a keyed hash', async t => {
  const codes = newRecoveryCodes()
  t.equal(codes.length, RECOVERY_CODE_COUNT)
  t.equal(new Set(codes).size, RECOVERY_CODE_COUNT)
  for (const code of codes) t.match(code, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)
  const code = newRecoveryCode()
  t.equal(normalizeRecoveryCode(` ${code.toUpperCase().replace(/-/g, ' - ')} `), code.replace(/-/g, ''))
  const key = deriveKey(SECRET, 'recovery-code')
  t.equal(hashRecoveryCode(key, code.toUpperCase()), hashRecoveryCode(key, code.replace(/-/g, '')), 'the hash of the normalised input')
  t.not(hashRecoveryCode(key, code), hashRecoveryCode(deriveKey('another key of 32 characters or more', 'recovery-code'), code), 'keyed')
  t.match(hashRecoveryCode(key, code), /^[0-9a-f]{64}$/)
})
