import { generateSecret, generateURI, verify } from 'otplib'

/** RFC 6238 defaults, which every authenticator app uses: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30

/** A new base32 secret of 20 random bytes (160 bits, RFC 4226's recommendation). */
export const newTotpSecret = (): string => generateSecret()

/** The `otpauth://` URI an authenticator app scans (as a QR code) to add the account. */
export const totpUri = (opts: { secret: string, issuer: string, account: string }): string =>
  generateURI({ issuer: opts.issuer, label: opts.account, secret: opts.secret })

/** Digits only: authenticator apps show "123 456", users paste "123-456". */
export const normalizeTotpCode = (code: string): string => code.replace(/[\s-]/g, '')

/**
 * The time step a code belongs to, if it is valid now within ±1 step and newer than
 * `afterStep` (the last step accepted for this factor); null otherwise. The caller must still
 * record the step with a compare-and-swap, so that two requests racing with one code cannot
 * both pass.
 */
export async function acceptedTotpStep (opts: { secret: string, code: string, afterStep: number, now?: Date }): Promise<number | null> {
  const token = normalizeTotpCode(opts.code)
  if (!/^\d{6}$/.test(token)) return null
  const epoch = Math.floor((opts.now ?? new Date()).getTime() / 1000)
  const result = await verify({ secret: opts.secret, token, epoch, epochTolerance: TOTP_PERIOD_SECONDS, afterTimeStep: opts.afterStep })
  // The step the code matched: the current one, one before or one after (`delta`).
  return result.valid ? Math.floor(epoch / TOTP_PERIOD_SECONDS) + result.delta : null
}
