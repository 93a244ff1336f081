import t from 'tap'
import { InvalidCredentialsError, TooManyAttemptsError } from '../../src/errors.js'
import { fromWire, toWire } from '../../src/services/auth-thread.js'

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
