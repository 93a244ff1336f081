import { readdirSync } from 'node:fs'
import t from 'tap'
import { build, BEARER, PASSWORD, refreshBearer, registerBearer } from '../helper.js'
import { niceIn } from '../proc.js'

/** Nice value of each thread of this process. */
function niceByThread (): Map<number, number> {
  const out = new Map<number, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(tid), niceIn(`/proc/self/task/${tid}/stat`))
    } catch {} // ended meanwhile
  }
  return out
}
const lowered = () => [...niceByThread().values()].filter(n => n >= 10).length

t.test('registration and login run in their own thread at nice 10; the event loop keeps its priority', { skip: process.platform !== 'linux' && 'reads /proc' }, async t => {
  const before = lowered()
  const app = await build(t)
  t.equal(lowered(), before + 1, 'one more thread, at nice 10')
  t.equal(niceByThread().get(process.pid), 0, 'the main thread is untouched')

  const { user, refreshToken } = await registerBearer(app)
  const login = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: user.email, password: PASSWORD } })
  t.equal(login.statusCode, 200)
  t.equal(login.json().expiresIn > 0, true, 'results cross the thread boundary, dates included')
  t.equal((await refreshBearer(app, refreshToken)).statusCode, 200, 'a session started there refreshes in the event loop\'s thread')
  const wrong = await app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: user.email, password: 'wrong horse battery' } })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'AUTH_INVALID_CREDENTIALS', 'errors keep their status and code')

  await app.close()
  t.equal(lowered(), before, 'the thread ends with the app')
})

t.test('AUTH_THREAD=false: the same service in the event loop\'s thread', { skip: process.platform !== 'linux' && 'reads /proc' }, async t => {
  const before = lowered()
  const app = await build(t, { AUTH_THREAD: false })
  t.equal(lowered(), before, 'no lowered thread')
  t.equal((await registerBearer(app)).user.email.includes('@'), true)
})
