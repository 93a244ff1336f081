// The child process of PasswordWorker (password-worker.ts): argon2 at a lower CPU priority.
// Plain JavaScript (type-checked through JSDoc) so that it starts without a TypeScript loader:
// under `npm start` a tsx child would cost ~40 MiB and a few hundred ms more.
import { readdirSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { localArgon2 } from './argon2-local.js'

/** @typedef {import('./password-worker.js').Job} Job */
/** @typedef {import('./password-worker.js').Reply} Reply */

/**
 * On Linux a nice value belongs to a thread, so every thread that exists now is lowered (libuv's
 * pool, where argon2 runs, may already be up); threads started later inherit it. Elsewhere it
 * applies to the whole process. Only ever lowered (a server already running at a higher nice value
 * keeps it: raising priority needs privileges), and never fatal: it is an optimization.
 * @param {number} nice
 */
function lowerPriority (nice) {
  const target = Math.max(nice, getPriority())
  /** @type {string[]} */
  let threads = []
  try {
    threads = readdirSync('/proc/self/task')
  } catch {}
  try {
    if (threads.length === 0) setPriority(target)
    for (const tid of threads) setPriority(Number(tid), target)
  } catch (err) {
    process.emitWarning(`password worker: could not lower its CPU priority: ${err}`)
  }
}

/**
 * @param {Job} job
 * @returns {Promise<string | boolean>}
 */
const compute = job => job.op === 'hash'
  ? localArgon2.hash(job.password, job.options)
  : localArgon2.verify(job.hash, job.password)

/**
 * The server may be gone with a hash in flight (stopped or killed): the answer then has nowhere to
 * go. Without a callback the failed send is an unhandled 'error' event, a crash with a stack trace
 * on the server's stderr (seen when a server stopped during a login storm); with one, this process
 * just ends, as 'disconnect' below would have ended it a moment later.
 * @param {Reply} reply
 */
const answer = reply => process.send?.(reply, undefined, undefined, err => { if (err) process.exit(1) })

lowerPriority(Number(process.argv[2]))
process.on('message', (/** @type {Job & { id: number }} */ job) => {
  compute(job).then(
    value => answer({ id: job.id, value }),
    (/** @type {unknown} */ err) => answer({ id: job.id, error: err instanceof Error ? err.message : String(err) })
  )
})
process.on('disconnect', () => process.exit(0))
