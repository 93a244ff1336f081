import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface HashOptions {
  type: 0 | 1 | 2
  memoryCost: number
  timeCost: number
  parallelism: number
}

export type Job =
  | { op: 'hash', password: string, options: HashOptions }
  | { op: 'verify', hash: string, password: string }

export type Reply = { id: number, value: string | boolean } | { id: number, error: string }

/** What computes argon2: this process's binding, or the worker process. */
export interface Argon2 {
  hash (password: string, options: HashOptions): Promise<string>
  /** A malformed stored hash verifies as false, not as an error. */
  verify (hash: string, password: string): Promise<boolean>
}

/** Plain JavaScript beside this module, in src/ and in dist/ alike: no TypeScript loader needed. */
const ENTRY = fileURLToPath(new URL('./password-worker-entry.js', import.meta.url))

/**
 * Linux's SCHED_IDLE policy, through util-linux's `chrt`, when this machine allows it (the binary
 * exists and the kernel or a seccomp profile does not refuse the call); checked once, by running it.
 * A thread under SCHED_IDLE yields its core to any normal thread that wakes up: with argon2 looping
 * beside a server, the verify p99 stayed at its idle level, where nice 10 or 19 tripled it
 * (bench/README.md, session 4). Threads inherit the policy, so libuv's pool gets it too.
 */
let idlePolicyWorks: boolean | undefined
const CHRT_IDLE = ['--idle', '0']
function idlePolicy (): boolean {
  idlePolicyWorks ??= process.platform === 'linux' && spawnSync('chrt', [...CHRT_IDLE, 'true'], { stdio: 'ignore' }).status === 0
  return idlePolicyWorks
}

/**
 * A child process that computes argon2 at a lower CPU priority than the server: under SCHED_IDLE
 * where available, and at a higher nice value in any case (the only lever elsewhere). The kernel
 * then prefers the event loop whenever both want a core, and hashing still uses every idle core
 * (what a login storm still costs the event loop: bench/README.md). The cost: a server that keeps
 * every core busy by itself leaves hashing almost nothing, so logins slow down first.
 * Spawned by ready() or on first use; it keeps this process alive only while hashes are in flight,
 * and exits when this process goes.
 * If it dies, the hashes in flight fail and the next one starts a new child.
 */
export class PasswordWorker implements Argon2 {
  readonly #nice: number
  readonly #entry: string
  #child: ChildProcess | undefined
  #pending = new Map<number, { resolve: (value: string | boolean) => void, reject: (err: Error) => void }>()
  #next = 0

  /** `entry`: the child's script; only tests pass another. */
  constructor (nice: number, entry = ENTRY) {
    this.#nice = nice
    this.#entry = entry
  }

  /** The child's pid, once started (for tests and diagnostics). */
  get pid (): number | undefined {
    return this.#child?.pid
  }

  /**
   * Starts the child if needed and resolves once it answers (its argon2 binding loaded, the IPC
   * channel up); rejects if it cannot start, so that a server fails at boot rather than on its
   * first login. The check costs nothing: a malformed hash is answered without any hashing.
   */
  async ready (): Promise<void> {
    await this.verify('', '').catch((err: Error) => { throw new Error(`password worker did not start: ${err.message}`) })
  }

  hash (password: string, options: HashOptions): Promise<string> {
    return this.#run({ op: 'hash', password, options }) as Promise<string>
  }

  verify (hash: string, password: string): Promise<boolean> {
    return this.#run({ op: 'verify', hash, password }) as Promise<boolean>
  }

  #run (job: Job): Promise<string | boolean> {
    const child = this.#child ?? this.#spawn()
    const id = ++this.#next
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      if (this.#pending.size === 1) ref(child, true)
      child.send({ id, ...job }, err => { if (err) this.#settle(child, { id, error: err.message }) })
    })
  }

  /** Stops the child; hashes in flight fail. */
  close (): void {
    this.#child?.kill()
  }

  /** Whether the child runs under SCHED_IDLE (Linux with `chrt`), for tests and diagnostics. */
  get idlePolicy (): boolean {
    return idlePolicy()
  }

  #spawn (): ChildProcess {
    const child = fork(this.#entry, [String(this.#nice)], {
      // Not this process's flags (--import tsx, --watch, --inspect, --cpu-prof…). Under SCHED_IDLE
      // the command is `chrt --idle 0 node <entry>`: chrt sets the policy and execs node, which
      // keeps the IPC channel's file descriptor.
      ...(idlePolicy() ? { execPath: 'chrt', execArgv: [...CHRT_IDLE, process.execPath] } : { execArgv: [] }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    ref(child, false)
    child.on('message', (reply: Reply) => this.#settle(child, reply))
    const fail = (err: Error) => {
      if (this.#child !== child) return
      this.#child = undefined
      for (const { reject } of this.#pending.values()) reject(err)
      this.#pending.clear()
    }
    child.on('error', fail)
    child.on('exit', (code, signal) => fail(new Error(`password worker exited (${signal ?? code})`)))
    return (this.#child = child)
  }

  #settle (child: ChildProcess, reply: Reply): void {
    const waiting = this.#pending.get(reply.id)
    if (!waiting) return
    this.#pending.delete(reply.id)
    if ('error' in reply) waiting.reject(new Error(reply.error))
    else waiting.resolve(reply.value)
    if (this.#pending.size === 0) ref(child, false)
  }
}

function ref (child: ChildProcess, on: boolean): void {
  if (on) {
    child.ref()
    child.channel?.ref()
  } else {
    child.unref()
    child.channel?.unref()
  }
}
