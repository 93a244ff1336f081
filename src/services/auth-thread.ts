import { Worker } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { AuthService } from './auth-service.js'

/** What crosses the thread boundary for a failed call: enough for the error handler, no stack. */
export interface WireError {
  statusCode: number
  code?: string
  message: string
  retryAfterSeconds?: number
}

export type Call = { id: number, method: typeof AUTH_METHODS[number], args: unknown[] }
export type Reply = { id: number, result?: unknown, error?: WireError }
export type Notice = { ready: true } | { bootError: string } | { log: string }

/**
 * The calls the thread answers: the credential checks, argon2-bound and what a storm is made of.
 * Refresh and logout are cheap, frequent and latency-bound: they stay in the event loop's thread
 * (through the thread, refresh's p99 rose from 45–54 % to 73 % of the tutorial's: bench/README.md).
 */
export const AUTH_METHODS = ['register', 'login'] as const satisfies ReadonlyArray<keyof AuthService>
export type ThreadedAuth = Pick<AuthService, typeof AUTH_METHODS[number]>

/** A client error as it is (its code and status are the API); anything else as a bare 500. */
export function toWire (err: unknown): WireError {
  const e = err as Partial<WireError> | null
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.message === 'string') {
    return { statusCode: e.statusCode, code: e.code, message: e.message, retryAfterSeconds: e.retryAfterSeconds }
  }
  return { statusCode: 500, message: 'auth thread: internal error' }
}

export function fromWire (wire: WireError): Error {
  if (wire.statusCode >= 500) return new Error(wire.message)
  return Object.assign(new Error(wire.message), { statusCode: wire.statusCode, code: wire.code, retryAfterSeconds: wire.retryAfterSeconds })
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }

/** A log line the thread wrote, re-logged here (so this logger's redaction and stream apply). */
function relog (log: FastifyBaseLogger, line: string): void {
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line) as Record<string, unknown>
  log[LEVELS[Number(level)] ?? 'info']({ ...fields, thread: 'auth' }, String(msg ?? ''))
}

export interface AuthThread {
  service: ThreadedAuth
  close (): Promise<void>
}

/**
 * Registration and login (AUTH_METHODS) in a worker thread at a lower CPU priority,
 * with its own database connection and password hashing: a login storm then costs the event loop
 * that answers token checks only the HTTP work (bench/README.md). Resolves once the thread is
 * up; rejects if it cannot start. A thread that dies fails the calls in flight (500) and is
 * started again on the next call.
 */
export async function startAuthThread (opts: {
  config: Config
  mongoUrl: string
  log: FastifyBaseLogger
  /** The thread's first module; tests substitute a stand-in. */
  entry?: URL
}): Promise<AuthThread> {
  const entry = opts.entry ?? new URL('../auth-thread-boot.js', import.meta.url)
  const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  let nextId = 0
  let closing = false

  let current: Promise<Worker> | undefined

  function spawn (): Promise<Worker> {
    const worker = new Worker(entry, {
      workerData: { config: opts.config, mongoUrl: opts.mongoUrl }
    })
    let up = false
    const started = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (msg: Reply | Notice) => {
        if ('log' in msg) relog(opts.log, msg.log)
        else if ('ready' in msg) {
          up = true
          resolve(worker)
        } else if ('bootError' in msg) reject(new Error(`auth thread failed to start: ${msg.bootError}`))
        else settle(msg)
      })
      worker.on('error', err => {
        if (up) opts.log.error({ err }, 'auth thread failed')
        else reject(err)
      })
      worker.on('exit', code => {
        if (!up) reject(new Error(`auth thread exited with code ${code} before it was ready`))
        if (current === started) current = undefined
        for (const [id, call] of pending) {
          pending.delete(id)
          call.reject(new Error('auth thread exited'))
        }
        if (!closing) opts.log.error({ code }, 'auth thread exited; a new one starts on the next call')
      })
    })
    return started
  }

  function settle ({ id, result, error }: Reply): void {
    const call = pending.get(id)
    if (!call) return
    pending.delete(id)
    if (error) call.reject(fromWire(error))
    else call.resolve(result)
  }

  const thread = () => (current ??= spawn())
  await thread()

  const call = (method: Call['method']) => async (...args: unknown[]) => {
    const worker = await thread()
    return await new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject })
      worker.postMessage({ id, method, args } satisfies Call)
    })
  }
  const service = Object.fromEntries(AUTH_METHODS.map(m => [m, call(m)])) as unknown as ThreadedAuth

  return {
    service,
    async close () {
      closing = true
      const worker = await current?.catch(() => undefined)
      if (!worker) return
      const exited = new Promise(resolve => worker.once('exit', resolve))
      worker.postMessage({ close: true })
      await exited
    }
  }
}
