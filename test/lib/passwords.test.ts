import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { readdirSync } from 'node:fs'
import argon2 from 'argon2'
import t from 'tap'
import { PasswordWorker } from '../../src/lib/password-worker.js'
import { niceIn, niceOfStat, policyIn } from '../proc.js'
import { ARGON2_OPTIONS, burnPasswordCheck, configureHashing, hashingLoad, hashingReady, hashPassword, HASH_WORKER_NICE, needsRehash, verifyPassword } from '../../src/lib/passwords.js'

t.teardown(() => configureHashing({ worker: false }))

const SCHED_IDLE = 5

const PASSWORDS_MODULE = JSON.stringify(new URL('../../src/lib/passwords.ts', import.meta.url).href)

/** Runs `body` (an ES module that can import PASSWORDS_MODULE) as a separate node process. */
function runParent (body: string, prefix: string[] = []) {
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', body]
  const [command, ...args] = [...prefix, ...node] as [string, ...string[]]
  return spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 })
}

for (const worker of [false, true]) {
  t.test(`argon2id at the OWASP parameters (${worker ? 'worker process' : 'in process'})`, async t => {
    configureHashing({ worker })
    const hash = await hashPassword('correct horse')
    t.match(hash, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/)
    t.equal(ARGON2_OPTIONS.type, argon2.argon2id)
    t.ok(await verifyPassword(hash, 'correct horse'))
    t.notOk(await verifyPassword(hash, 'wrong horse'))
    t.notOk(await verifyPassword('not a hash', 'x'), 'a malformed stored hash verifies false, never throws')
    t.not(await hashPassword('correct horse'), hash, 'salted')
    t.equal(hashingLoad().workerPid !== undefined, worker)
  })
}

t.test('needsRehash flags hashes made with other parameters', async t => {
  t.notOk(needsRehash(await hashPassword('pw')))
  t.ok(needsRehash(await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })))
  t.ok(needsRehash('garbage'))
})

t.test('burnPasswordCheck always fails', async t => {
  t.equal(await burnPasswordCheck('dummy password for timing equalisation'), false)
  t.equal(await burnPasswordCheck('x'), false)
})

t.test('default concurrency: every core in the worker, a core left to the event loop in process', async t => {
  configureHashing({ worker: true })
  t.equal(hashingLoad().concurrency, availableParallelism())
  configureHashing({ worker: false })
  t.equal(hashingLoad().concurrency, Math.max(1, availableParallelism() - 1))
})

t.test('hashing is bounded: excess work queues, and all of it completes', async t => {
  configureHashing({ worker: false, concurrency: 1 })
  const work = Array.from({ length: 4 }, (_, i) => hashPassword(`pw-${i}`))
  await Promise.resolve()
  t.match(hashingLoad(), { concurrency: 1, active: 1, pending: 3 }, 'one at a time, three queued')
  const hashes = await Promise.all(work)
  t.equal(new Set(hashes).size, 4, 'queued work all completes')
  t.ok(await verifyPassword(hashes[3]!, 'pw-3'))
  t.match(hashingLoad(), { concurrency: 1, active: 0, pending: 0 })
})

t.test('every thread of the worker process runs at the lower priority (Linux)', async t => {
  configureHashing({ worker: true })
  await hashPassword('warms the worker up') // argon2 has run in libuv's pool by now
  const pid = hashingLoad().workerPid!
  const threads = readdirSync(`/proc/${pid}/task`)
  t.ok(threads.length > 4, `${threads.length} threads, libuv's pool included`)
  t.same(threads.map(tid => niceIn(`/proc/${pid}/task/${tid}/stat`)), threads.map(() => HASH_WORKER_NICE))
  t.equal(niceIn('/proc/self/stat'), 0, 'the server itself keeps its priority')
  t.equal(policyIn('/proc/self/stat'), 0, '… and its scheduling policy')
  // Where `chrt --idle` works (Debian's util-linux here), every thread also runs under SCHED_IDLE.
  const chrt = spawnSync('chrt', ['--idle', '0', 'true']).status === 0
  t.equal(new PasswordWorker(HASH_WORKER_NICE).idlePolicy, chrt)
  t.same(threads.map(tid => policyIn(`/proc/${pid}/task/${tid}/stat`)), threads.map(() => chrt ? SCHED_IDLE : 0))
})

t.test('a server already running at a lower priority: the worker keeps that priority, never raises it', async t => {
  const parent = runParent(`
    import { readFileSync } from 'node:fs'
    import { configureHashing, hashPassword, hashingLoad, verifyPassword } from ${PASSWORDS_MODULE}
    configureHashing({ worker: true })
    const ok = await verifyPassword(await hashPassword('pw'), 'pw')
    console.log(JSON.stringify({ ok, stat: readFileSync('/proc/' + hashingLoad().workerPid + '/stat', 'utf8') }))`, ['nice', '-n', '15'])
  t.equal(parent.status, 0, parent.stderr)
  const { ok, stat } = JSON.parse(parent.stdout)
  t.same({ ok, nice: niceOfStat(stat) }, { ok: true, nice: 15 })
})

t.test('ready(): answers once the worker is up, and fails loudly when it cannot start', async t => {
  configureHashing({ worker: true })
  await hashingReady()
  t.ok(hashingLoad().workerPid, 'started and answering')
  configureHashing({ worker: false })
  await hashingReady() // nothing to wait for in process

  const broken = new PasswordWorker(HASH_WORKER_NICE, '/nonexistent/password-worker-entry.js')
  await t.rejects(broken.ready(), /^password worker did not start: password worker exited \(1\)$/)
  await t.rejects(broken.hash('pw', ARGON2_OPTIONS), /password worker exited/, 'hashing fails too, it does not hang')
})

t.test('a dead worker fails the hashes in flight, and the next hash starts a new one', async t => {
  configureHashing({ worker: true })
  await hashPassword('start it')
  const first = hashingLoad().workerPid!
  const inFlight = hashPassword('in flight')
  await Promise.resolve()
  t.match(hashingLoad(), { active: 1 }, 'sent to the worker')
  process.kill(first, 'SIGKILL') // before this process can read any answer
  await t.rejects(inFlight, /password worker exited \(SIGKILL\)/)
  const hash = await hashPassword('after the crash')
  t.ok(await verifyPassword(hash, 'after the crash'))
  t.not(hashingLoad().workerPid, first, 'a new worker process')
  t.match(hashingLoad(), { active: 0, pending: 0 })
})

t.test('a dead worker does not poison the dummy hash of unknown-email checks', async t => {
  // A fresh copy of the module: its dummy hash is not made yet.
  const fresh: typeof import('../../src/lib/passwords.js') = await import(`../../src/lib/passwords.js?fresh=${Date.now()}`)
  fresh.configureHashing({ worker: true })
  t.teardown(() => fresh.configureHashing({ worker: false }))
  await fresh.hashPassword('start it')
  const burn = fresh.burnPasswordCheck('x')
  await Promise.resolve()
  process.kill(fresh.hashingLoad().workerPid!, 'SIGKILL')
  await t.rejects(burn, /password worker exited/)
  t.equal(await fresh.burnPasswordCheck('x'), false, 'the next check makes a new dummy hash and completes')
})

t.test('the worker does not outlive its parent, nor keep it running', async t => {
  const parent = runParent(`
    import { configureHashing, hashPassword, hashingLoad } from ${PASSWORDS_MODULE}
    configureHashing({ worker: true })
    await hashPassword('x')
    console.log(hashingLoad().workerPid)`)
  t.equal(parent.status, 0, 'the parent exits on its own once idle')
  const pid = Number(parent.stdout.trim())
  t.ok(pid > 0, `worker pid ${pid}`)
  const gone = async () => {
    for (let i = 0; i < 100; i++) {
      try { process.kill(pid, 0) } catch { return true }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    return false
  }
  t.ok(await gone(), 'the worker exits with its parent')
})
