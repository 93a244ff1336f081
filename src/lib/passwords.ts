import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import pLimit from 'p-limit'

/**
 * Argon2id with one of OWASP's equivalent minimum configurations: m=12 MiB, t=3, p=1. Measured
 * here it is the cheapest in CPU of the five (~19 ms per hash on one core vs ~23 ms for m=19 MiB,
 * t=2 and ~61 ms for m=46 MiB, t=1, which misses the cache), and it holds less memory per hash.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 12288,
  timeCost: 3,
  parallelism: 1
} as const

/**
 * At most this many argon2 computations at once (each holds a libuv thread and 12 MiB); excess
 * logins queue. Default: one core left to the event loop, so a login storm cannot starve token
 * verification (bench/README.md: with one hash per core on 2 cores, the verify p99 during a login
 * storm went from 0.6x to 2.3x idle). HASH_CONCURRENCY in the config overrides it.
 */
export const DEFAULT_HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1)
const limit = pLimit(DEFAULT_HASH_CONCURRENCY)

export function setHashConcurrency (n: number): void {
  limit.concurrency = n
}

/** Hashes running and waiting, for tests and diagnostics. */
export function hashingLoad (): { concurrency: number, active: number, pending: number } {
  return { concurrency: limit.concurrency, active: limit.activeCount, pending: limit.pendingCount }
}

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
