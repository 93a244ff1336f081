// The child process of PasswordWorker (password-worker.ts): argon2 at a lower CPU priority.
import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'
import argon2 from 'argon2'
import type { Job, Reply } from './password-worker.js'

/**
 * On Linux a nice value belongs to a thread, so every thread that exists now is lowered (libuv's
 * pool, where argon2 runs, may already be up); threads started later inherit it. Elsewhere it
 * applies to the whole process.
 */
function lowerPriority (nice: number): void {
  let threads: string[] = []
  try {
    threads = readdirSync('/proc/self/task')
  } catch {}
  if (threads.length === 0) setPriority(nice)
  for (const tid of threads) setPriority(Number(tid), nice)
}

async function compute (job: Job): Promise<string | boolean> {
  if (job.op === 'hash') return argon2.hash(job.password, job.options)
  // A malformed stored hash is a failed verification, not an error.
  return argon2.verify(job.hash, job.password).catch(() => false)
}

lowerPriority(Number(process.argv[2]))
process.on('message', (job: Job & { id: number }) => {
  compute(job).then(
    value => process.send?.({ id: job.id, value } satisfies Reply),
    (err: unknown) => process.send?.({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies Reply)
  )
})
process.on('disconnect', () => process.exit(0))
