import type { FastifyBaseLogger } from 'fastify'
import t from 'tap'
import type { Config } from '../../src/config.js'
import { InvalidCredentialsError, TooManyAttemptsError } from '../../src/errors.js'
import { fromWire, startAuthThread, toWire } from '../../src/services/auth-thread.js'

const entry = new URL('../fixtures/auth-thread-stand-in.js', import.meta.url)

function recorder () {
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg: string }> = []
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => { lines.push({ level, obj, msg }) }
  const log = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') }
  return { lines, log: log as unknown as FastifyBaseLogger }
}
const start = (log: FastifyBaseLogger, mode = '') =>
  startAuthThread({ config: { mode } as unknown as Config, mongoUrl: 'unused', log, entry })

t.test('calls cross to the thread and back: results (dates included), client errors, log lines', async t => {
  const { lines, log } = recorder()
  const thread = await start(log)
  t.teardown(() => thread.close())
  const result = await thread.service.login({ email: 'a', password: 'b' }, { ip: '', userAgent: '' }) as unknown as { method: string, at: Date }
  t.equal(result.method, 'login')
  t.ok(result.at instanceof Date, 'a Date stays a Date')
  t.match(lines, [{ level: 'warn', msg: 'from the thread', obj: { thread: 'auth' } }], "the thread's log line, re-logged here")
  t.notOk('time' in lines[0]!.obj || 'pid' in lines[0]!.obj, "this logger's own time and pid apply")
  await t.rejects(thread.service.register('fail' as never, { ip: '', userAgent: '' }), { statusCode: 429, code: 'AUTH_TOO_MANY_ATTEMPTS', retryAfterSeconds: 7 })
})

t.test('a thread that dies fails the call in flight; the next call starts a new one', async t => {
  const { lines, log } = recorder()
  const thread = await start(log)
  t.teardown(() => thread.close())
  const first = await thread.service.login('x' as never, { ip: '', userAgent: '' }) as unknown as { threadId: number }
  await t.rejects(thread.service.login('die' as never, { ip: '', userAgent: '' }), { message: 'auth thread exited' })
  t.ok(lines.some(l => l.level === 'error' && /exited/.test(l.msg)), 'logged')
  const next = await thread.service.login('y' as never, { ip: '', userAgent: '' }) as unknown as { threadId: number }
  t.not(next.threadId, first.threadId, 'answered by a new thread')
})

t.test('a thread that cannot start fails the start', async t => {
  await t.rejects(start(recorder().log, 'boot-error'), { message: 'auth thread failed to start: no database' })
})

t.test('client errors cross the thread boundary with their status, code, message and retry-after', async t => {
  const wire = toWire(new TooManyAttemptsError(30))
  t.same(structuredClone(wire), wire, 'plain data')
  const err = fromWire(structuredClone(wire)) as Error & { statusCode: number, code: string, retryAfterSeconds: number }
  t.equal(err.statusCode, 429)
  t.equal(err.code, 'AUTH_TOO_MANY_ATTEMPTS')
  t.equal(err.message, 'Too many failed login attempts; retry in 30 seconds')
  t.equal(err.retryAfterSeconds, 30)
  t.match(fromWire(toWire(new InvalidCredentialsError())), { statusCode: 401, code: 'AUTH_INVALID_CREDENTIALS' })
})

t.test('anything else becomes a bare error: no status, code or internals', async t => {
  for (const thrown of [new Error('connection refused: mongodb://user:secret@db'), Object.assign(new Error('x'), { statusCode: 503 }), 'a string', null]) {
    const wire = toWire(thrown)
    t.same(wire, { statusCode: 500, message: 'auth thread: internal error' })
    const err = fromWire(wire) as Error & { statusCode?: number }
    t.equal(err.statusCode, undefined, 'the error handler answers its generic 500')
  }
})
