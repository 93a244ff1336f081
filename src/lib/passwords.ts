import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import pLimit from 'p-limit'
import { localArgon2 } from './argon2-local.js'
import { PasswordWorker, type Argon2 } from './password-worker.js'

/**
 * Argon2id with one of OWASP's five equivalent minimum configurations: m=7 MiB, t=5, p=1. With
 * two hashes at once (the default on 2 cores) it is the cheapest of the five in CPU here: ~22 ms
 * per hash vs ~27 ms for m=12 MiB, t=3, ~25 ms for 9 MiB/4, ~30 ms for 19 MiB/2 (two 7 MiB blocks
 * stay in a shared L3 cache); alone on one core they are within 5 % of each other except
 * 46 MiB/1, which misses the cache (bench/README.md).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 7168,
  timeCost: 5,
  parallelism: 1
} as const

/** The nice value of the hashing child process (0 is the server's own priority, 19 the lowest). */
export const HASH_WORKER_NICE = 10

let worker: PasswordWorker | undefined
/** Where argon2 runs now. */
const argon = (): Argon2 => worker ?? localArgon2

/**
 * At most this many argon2 computations at once (each holds a thread and 7 MiB); excess logins
 * queue. By default hashing runs in a lower-priority child process and may use every core; in
 * process it leaves one core to the event loop, so that a login storm cannot starve token
 * verification (bench/README.md: one hash per core in process on 2 cores took the verify p99
 * during a login storm from 0.6x to 2.3x idle).
 */
const defaultHashConcurrency = (inWorker: boolean) => Math.max(1, availableParallelism() - (inWorker ? 0 : 1))
const limit = pLimit(defaultHashConcurrency(false))

/**
 * Where argon2 runs and how many at once (HASH_WORKER and HASH_CONCURRENCY in the config).
 * Process-wide, like the limit: apps sharing a process share one worker and one queue.
 */
export function configureHashing (opts: { worker: boolean, concurrency?: number }): void {
  if (opts.worker) {
    worker ??= new PasswordWorker(HASH_WORKER_NICE)
  } else {
    worker?.close()
    worker = undefined
  }
  limit.concurrency = opts.concurrency ?? defaultHashConcurrency(opts.worker)
}

/** Starts the worker, if configured, and resolves once it answers (see PasswordWorker.ready). */
export function hashingReady (): Promise<void> {
  return worker?.ready() ?? Promise.resolve()
}

/** Hashes running and waiting, and the worker's pid once started, for tests and diagnostics. */
export function hashingLoad (): { concurrency: number, active: number, pending: number, workerPid?: number } {
  return { concurrency: limit.concurrency, active: limit.activeCount, pending: limit.pendingCount, workerPid: worker?.pid }
}

export const PASSWORD_MIN_LENGTH = 8
/** Caps hashing work per request; long inputs cost argon2 nothing extra, but bodies do. */
export const PASSWORD_MAX_LENGTH = 1024

export function hashPassword (password: string): Promise<string> {
  return limit(() => argon().hash(password, ARGON2_OPTIONS))
}

/** A malformed stored hash verifies as false; only a failed worker throws. */
export function verifyPassword (hash: string, password: string): Promise<boolean> {
  return limit(() => argon().verify(hash, password))
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
  // Forgotten if it fails (a dead worker), or every later unknown-email check would fail too.
  dummy ??= hashPassword('dummy password for timing equalisation').catch((err: unknown) => {
    dummy = undefined
    throw err
  })
  await verifyPassword(await dummy, password)
  return false
}
