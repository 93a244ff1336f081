import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import pLimit from 'p-limit'

/**
 * Argon2id with one of OWASP's five equivalent minimum configurations: m=7 MiB, t=5, p=1, the
 * cheapest of the five in CPU on the machines we measured (bench/README.md).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 7168,
  timeCost: 5,
  parallelism: 1
} as const

export const PASSWORD_MIN_LENGTH = 8
/** Caps hashing work per request; long inputs cost argon2 nothing extra, but bodies do. */
export const PASSWORD_MAX_LENGTH = 1024

/**
 * One core is left to the event loop, so that a login storm cannot starve token checks. argon2
 * runs on libuv's pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which also serves
 * `fs` and `dns.lookup`: a bound above 3 leaves them waiting behind hashes.
 */
export const defaultHashConcurrency = () => Math.max(1, availableParallelism() - 1)

const DUMMY_PASSWORD = 'dummy password for timing equalisation'

/**
 * Password hashing for one app: argon2id at ARGON2_OPTIONS, at most `concurrency` hashes or
 * verifications at once (each holds a libuv thread and 7 MiB); excess work queues.
 */
export function createPasswordHasher ({ concurrency = defaultHashConcurrency() }: { concurrency?: number } = {}) {
  const limit = pLimit(concurrency)
  let dummy: Promise<string> | undefined

  const hash = (password: string): Promise<string> => limit(() => argon2.hash(password, ARGON2_OPTIONS))
  const check = (hash: string, password: string): Promise<boolean> => limit(() => argon2.verify(hash, password).catch(() => false))

  /**
   * Verifies against a throw-away hash so that an unknown email, or an account without a
   * password, costs the same argon2 work as a wrong password (no timing oracle). Always false.
   */
  async function burn (password: string): Promise<false> {
    dummy ??= hash(DUMMY_PASSWORD)
    await check(await dummy, password)
    return false
  }

  /** A malformed stored hash verifies as false; so does none (an account that signs in through a provider only). */
  const verify = (hash: string | null, password: string): Promise<boolean> => hash === null ? burn(password) : check(hash, password)

  return {
    hash,
    verify,

    /** True when the stored hash was made with other parameters than ARGON2_OPTIONS. */
    needsRehash (stored: string): boolean {
      try {
        return argon2.needsRehash(stored, ARGON2_OPTIONS)
      } catch {
        return true
      }
    },

    burn,

    /** Hashes running and waiting, for diagnostics and tests. */
    load (): { concurrency: number, active: number, pending: number } {
      return { concurrency: limit.concurrency, active: limit.activeCount, pending: limit.pendingCount }
    }
  }
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>
