import { createHmac, randomInt } from 'node:crypto'

/** Codes a user gets at once; each works once. */
export const RECOVERY_CODE_COUNT = 10

// Base32 without the letters people confuse with digits (RFC 4648's alphabet drops 0, 1, 8, 9).
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/**
 * A code of 16 base32 characters (80 bits) shown as four groups, `abcd-efgh-ijkl-mnop`. Only a
 * keyed hash is stored, so the database alone does not let anyone guess codes offline.
 */
export function newRecoveryCode (): string {
  const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)])
  return [0, 4, 8, 12].map(i => chars.slice(i, i + 4).join('')).join('-')
}

export const newRecoveryCodes = (): string[] => Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)

/** Spaces and dashes ignored, case-insensitive. */
export const normalizeRecoveryCode = (input: string): string => input.replace(/[\s-]/g, '').toLowerCase()

/** What is stored for a code: HMAC-SHA256 under a key derived from ENCRYPTION_KEY. */
export const hashRecoveryCode = (key: Buffer, input: string): string =>
  createHmac('sha256', key).update(normalizeRecoveryCode(input)).digest('hex')
