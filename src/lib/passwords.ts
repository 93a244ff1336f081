import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import pLimit from 'p-limit'

/**
 * Argon2id at the OWASP minimum: m=19 MiB, t=2, p=1 (about 30 ms per hash on one core here).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1
} as const

/**
 * At most this many argon2 computations at once (each holds a libuv thread and 19 MiB), leaving a
 * core to the event loop so a login storm cannot starve token verification. Excess logins queue.
 */
export const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1)
const limit = pLimit(HASH_CONCURRENCY)

export const PASSWORD_MIN_LENGTH = 8
/** Caps hashing work per request; long inputs cost argon2 nothing extra, but bodies do. */
export const PASSWORD_MAX_LENGTH = 1024

export function hashPassword (password: string): Promise<string> {
  return limit(() => argon2.hash(password, ARGON2_OPTIONS))
}

/** Never throws: a malformed stored hash verifies as false. */
export async function verifyPassword (hash: string, password: string): Promise<boolean> {
  try {
    return await limit(() => argon2.verify(hash, password))
  } catch {
    return false
  }
}

/** True when the stored hash was made with other parameters than ARGON2_OPTIONS. */
export function needsRehash (hash: string): boolean {
  try {
    return argon2.needsRehash(hash, ARGON2_OPTIONS)
  } catch {
    return true
  }
}

let dummy: Promise<string> | undefined

/**
 * Verifies against a throw-away hash so that an unknown email costs the same argon2 work as a
 * wrong password (no timing oracle for account existence).
 */
export async function burnPasswordCheck (password: string): Promise<false> {
  dummy ??= hashPassword('dummy password for timing equalisation')
  await verifyPassword(await dummy, password)
  return false
}
