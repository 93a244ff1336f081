// npm run bench [-- --duration 10 --users 200 --rounds 3 --smoke]
// Starts the embedded DB, this server and the baselines as separate processes on loopback, runs
// every scenario with autocannon, and prints req/s, latency, errors, CPU per process and ratios
// against baselines measured in the same run. Bounded: each scenario runs for --duration seconds.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '200' },
    smoke: { type: 'boolean', default: false }
  }
})
const DURATION = args.smoke ? 1 : Number(args.duration)
const USERS = args.smoke ? 12 : Number(args.users)
const ROUNDS = args.smoke ? 1 : Number(args.rounds)
const PASSWORD = 'correct horse battery'
const CLK_TCK = 100
const PORTS = { db: 27217, ours: 3301, bare: 3302, tutorial: 3303, betterAuth: 3304, configured: 3305, oursHs: 3306 }

const children = []
function start (script, env = {}, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  children.push(child)
  return child
}
/** Once per child: a second SIGTERM makes the server's close-with-grace skip its graceful close. */
function stopAll () {
  for (const c of children) if (!c.killed) c.kill('SIGTERM')
}
process.on('exit', stopAll)
process.on('SIGINT', () => process.exit(130))

async function waitForPort (port, ms = 30_000) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const ok = await new Promise(resolve => {
      const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`port ${port} did not open`)
}

/** Fields 3… of /proc/<pid>/stat (state, ppid, …), after the command name. */
function statFields (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** CPU seconds and RSS of a process, from /proc (Linux). */
function procStats (pid) {
  const fields = statFields(pid)
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024
  return { cpu, rss }
}

const dbUrl = name => `mongodb://127.0.0.1:${PORTS.db}/${name}?directConnection=true&serverMonitoringMode=poll`

async function json (port, path, body, headers = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${path} → ${res.status} ${text.slice(0, 200)}`)
  return { body: text ? JSON.parse(text) : null, headers: res.headers }
}

async function inBatches (n, size, fn) {
  const out = []
  for (let i = 0; i < n; i += size) out.push(...await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => fn(i + j))))
  return out
}

const results = []
/**
 * Runs `load()` (which answers { rps, total, p50, p99, errors, seconds }) and records one row with
 * the CPU that `procs` (the server-side processes) and this process (the load generator) used
 * meanwhile. The DB does not count as the server.
 */
async function measure (name, procs, connections, load) {
  const before = procs.map(p => procStats(p.pid))
  const loadBefore = process.cpuUsage()
  const { rps, total, p50, p99, errors, seconds } = await load()
  const loadCpu = process.cpuUsage(loadBefore)
  const cpuSeconds = procs.map((p, i) => procStats(p.pid).cpu - before[i].cpu)
  const ownSeconds = cpuSeconds.filter((_, i) => procs[i].label !== 'db').reduce((a, b) => a + b, 0)
  const row = {
    name,
    connections,
    rps: Math.round(rps),
    p50,
    p99,
    errors,
    cpu: procs.map((p, i) => `${p.label} ${Math.round(100 * cpuSeconds[i] / seconds)}%`).join(', '),
    loadgen: `${Math.round(100 * (loadCpu.user + loadCpu.system) / 1e6 / seconds)}%`,
    serverCores: ownSeconds / seconds,
    // Server CPU per request: steadier than req/s when the load generator shares the cores.
    usPerReq: total > 0 ? Math.round(1e6 * ownSeconds / total) : 0
  }
  results.push(row)
  console.error(`  ${name}: ${row.rps} req/s, p99 ${row.p99} ms, errors ${row.errors}`)
  return row
}

/** One autocannon run (keep-alive, pipelined requests) as a measured scenario. */
function scenario (name, procs, opts) {
  const { port, path = '', connections = 10, ...rest } = opts
  return measure(name, procs, connections, async () => {
    const r = await autocannon({ duration: DURATION, connections, ...rest, url: `http://127.0.0.1:${port}${path}` })
    return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, seconds: r.duration }
  })
}

/** One keep-alive HTTP request with node:http (undici's fetch cost the probe ~0.8 ms of CPU each). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
function request (port, method, path, headers = {}, body = undefined) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, res => {
      const chunks = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * `workers` async loops, each timing its own requests with performance.now() (microseconds, where
 * autocannon reports whole milliseconds) until the scenario's time is up. `step(i)` sends one
 * request for worker i and resolves to true if the answer is the expected one; `pace(i)`, if
 * given, is awaited before each request and not timed.
 */
function timedLoops (name, procs, workers, step, pace) {
  return measure(name, procs, workers, async () => {
    const latencies = []
    let errors = 0
    const started = performance.now()
    const until = started + DURATION * 1000
    await Promise.all(Array.from({ length: workers }, async (_, i) => {
      while (performance.now() < until) {
        if (pace) await pace(i)
        const t0 = performance.now()
        const ok = await step(i).catch(() => false)
        latencies.push(performance.now() - t0)
        if (!ok) errors++
      }
    }))
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    const q = f => Number(latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))].toFixed(1))
    return { rps: latencies.length / seconds, total: latencies.length, p50: q(0.5), p99: q(0.99), errors, seconds }
  })
}

/**
 * Each worker is one user refreshing in a loop, strictly sequentially: request n+1 carries the
 * token from response n (autocannon builds requests ahead of responses, which would replay the
 * previous token and measure the grace path instead of rotation).
 */
function refreshLoop (name, procs, { port, path, tokens }) {
  // `tokens` is rotated in place: the next round goes on from the newest tokens.
  return timedLoops(name, procs, tokens.length, async i => {
    const res = await request(port, 'POST', path, { 'content-type': 'application/json', 'x-auth-mode': 'bearer' }, JSON.stringify({ refreshToken: tokens[i] }))
    if (res.status !== 200) return false
    const next = JSON.parse(res.body).refreshToken
    if (next === tokens[i]) return false // not a rotation
    tokens[i] = next
    return true
  })
}

/** A fixed request rate (`rate` per second over `workers` connections), each request timed. */
function probeLoop (name, procs, { port, path, headers, rate, workers }) {
  const interval = 1000 * workers / rate
  const next = Array.from({ length: workers }, (_, i) => performance.now() + i * interval / workers)
  const pace = async i => {
    const wait = next[i] - performance.now()
    next[i] += interval
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
  }
  return timedLoops(name, procs, workers, async () => {
    const res = await request(port, 'GET', path, headers)
    return res.status === 200
  }, pace)
}

// ---------------------------------------------------------------------------------------------
console.error(`bench: ${DURATION}s per scenario, ${USERS} users per server, ${cpus().length} cores`)
const db = start(join(here, 'db.mjs'), { PORT: String(PORTS.db) })
db.label = 'db'
await waitForPort(PORTS.db)

const oursEnv = {
  ACCESS_TOKEN_SECRET: 'bench-access-secret-0123456789abcdef0123',
  REFRESH_TOKEN_SECRET: 'bench-refresh-secret-0123456789abcdef012',
  ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef01',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '100000000',
  AUTH_RATE_LIMIT_MAX: '100000000',
  LOGIN_MAX_FAILURES: '100',
  COOKIE_SECURE: 'false'
}
// Access tokens signed with ES256 (the default), and the same server signing with HS256.
const ours = start('src/server.ts', { ...oursEnv, PORT: String(PORTS.ours), MONGO_URL: dbUrl('ours') }, ['--import', 'tsx'])
ours.label = 'server'
const oursHs = start('src/server.ts', { ...oursEnv, PORT: String(PORTS.oursHs), MONGO_URL: dbUrl('ours_hs'), ACCESS_TOKEN_ALG: 'HS256' }, ['--import', 'tsx'])
oursHs.label = 'server'
const bare = start(join(here, 'baselines/bare.mjs'), { PORT: String(PORTS.bare) })
bare.label = 'server'
const configured = start(join(here, 'baselines/bare-configured.ts'), { PORT: String(PORTS.configured), LOG_LEVEL: 'warn' }, ['--import', 'tsx'])
configured.label = 'server'
const tutorial = start(join(here, 'baselines/tutorial.mjs'), { PORT: String(PORTS.tutorial), MONGO_URL: dbUrl('tutorial') })
tutorial.label = 'server'
const ba = start(join(here, 'baselines/better-auth.mjs'), { PORT: String(PORTS.betterAuth), MONGO_URL: dbUrl('better_auth') })
ba.label = 'server'
await Promise.all(Object.values(PORTS).map(p => waitForPort(p)))

console.error('seeding users…')
const email = (tag, i) => `${tag}${i}@bench.example.com`
const oursSessions = await inBatches(USERS, 4, i => json(PORTS.ours, '/auth/register', { email: email('o', i), password: PASSWORD }, { 'x-auth-mode': 'bearer' }).then(r => r.body))
const hsSession = (await json(PORTS.oursHs, '/auth/register', { email: email('h', 0), password: PASSWORD }, { 'x-auth-mode': 'bearer' })).body
const tutorialSessions = await inBatches(USERS, 4, i => json(PORTS.tutorial, '/register', { email: email('t', i), password: PASSWORD }).then(r => r.body))
const baOrigin = { origin: `http://127.0.0.1:${PORTS.betterAuth}` }
const baCookies = await inBatches(USERS, 4, async i => {
  const r = await json(PORTS.betterAuth, '/api/auth/sign-up/email', { email: email('b', i), password: PASSWORD, name: `b${i}` }, baOrigin)
  return r.headers.getSetCookie().map(c => c.split(';')[0]).join('; ')
})
const cookieLogin = await fetch(`http://127.0.0.1:${PORTS.ours}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: email('o', 0), password: PASSWORD }) })
const oursCookie = cookieLogin.headers.getSetCookie().map(c => c.split(';')[0]).find(c => c.startsWith('access_token='))

/** The node processes among `pid` and its descendants (tsx also runs esbuild, which is not node). */
function nodeProcessesOf (pid) {
  const all = readdirSync('/proc').filter(d => /^\d+$/.test(d))
  const tree = new Set([pid])
  for (let grew = true; grew;) {
    grew = false
    for (const p of all) {
      try {
        if (!tree.has(Number(p)) && tree.has(Number(statFields(p)[1]))) { tree.add(Number(p)); grew = true }
      } catch {} // gone meanwhile
    }
  }
  return [...tree].filter(p => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0].endsWith('node')).length
}
const bearer = token => ({ authorization: `Bearer ${token}` })
const withDb = p => [p, db]
console.error('warming up (JIT, connection pools; not measured)…')
const warm = (port, path, headers) => autocannon({ url: `http://127.0.0.1:${port}${path}`, headers, duration: Math.min(3, DURATION), connections: 20 })
await warm(PORTS.bare, '/auth/verify', {})
await warm(PORTS.configured, '/auth/verify', {})
await warm(PORTS.ours, '/auth/verify', bearer(oursSessions[0].accessToken))
await warm(PORTS.oursHs, '/auth/verify', bearer(hsSession.accessToken))
await warm(PORTS.ours, '/users/me', bearer(oursSessions[0].accessToken))
await warm(PORTS.ours, '/users/me', { cookie: oursCookie })
await warm(PORTS.tutorial, '/auth/verify', bearer(tutorialSessions[0].accessToken))
await warm(PORTS.betterAuth, '/api/auth/get-session', { cookie: baCookies[0], ...baOrigin })
/**
 * Drift on a shared machine is slow next to one scenario but large across a run: each comparison
 * with a baseline runs as ROUNDS interleaved rounds (ours, baseline, ours, baseline…), and its
 * ratio is the median of the per-round ratios, so that drift hits both sides alike.
 * `runs` maps a key to a function of the round's name suffix; returns one row per key per round.
 */
async function interleaved (runs) {
  const rounds = []
  for (let round = 1; round <= ROUNDS; round++) {
    const tag = ROUNDS > 1 ? ` (round ${round})` : ''
    const rows = {}
    for (const [key, run] of Object.entries(runs)) rows[key] = await run(tag)
    rounds.push(rows)
  }
  return rounds
}
const median = xs => xs.slice().sort((a, b) => a - b)[(xs.length - 1) >> 1]
/** The median of the per-round values of `f`, and the list of them. */
const perRound = (rounds, f) => ({ median: median(rounds.map(f)), each: rounds.map(f) })
/** The row of the round whose `key` row has the median req/s: it stands for the rounds in single comparisons. */
const medianRow = (rounds, key) => rounds.find(r => r[key].rps === median(rounds.map(v => v[key].rps)))[key]

console.error(`verify path: the bare routes and ours interleaved, ${ROUNDS} rounds…`)
const verifyRounds = await interleaved({
  bare: tag => scenario(`verify: bare route, no auth${tag}`, [bare], { port: PORTS.bare, path: '/auth/verify', connections: 50 }),
  configured: tag => scenario(`verify: bare route, no auth, our server's options${tag}`, [configured], { port: PORTS.configured, path: '/auth/verify', connections: 50 }),
  bearer: tag => scenario(`verify: GET /auth/verify, bearer (ES256)${tag}`, [ours], { port: PORTS.ours, path: '/auth/verify', headers: bearer(oursSessions[0].accessToken), connections: 50 }),
  hs256: tag => scenario(`verify: GET /auth/verify, bearer, ACCESS_TOKEN_ALG=HS256${tag}`, [oursHs], { port: PORTS.oursHs, path: '/auth/verify', headers: bearer(hsSession.accessToken), connections: 50 }),
  cookie: tag => scenario(`verify: GET /auth/verify, cookie${tag}`, [ours], { port: PORTS.ours, path: '/auth/verify', headers: { cookie: oursCookie }, connections: 50 })
})
const oursBearer = medianRow(verifyRounds, 'bearer')
const bearerVsBare = perRound(verifyRounds, r => r.bearer.rps / r.bare.rps)
const cookieVsBare = perRound(verifyRounds, r => r.cookie.rps / r.bare.rps)
const cpuVsBare = perRound(verifyRounds, r => r.bare.usPerReq / r.bearer.usPerReq)
const bearerVsConfigured = perRound(verifyRounds, r => r.bearer.rps / r.configured.rps)
const cpuVsConfigured = perRound(verifyRounds, r => r.configured.usPerReq / r.bearer.usPerReq)
const configuredVsBare = perRound(verifyRounds, r => r.configured.rps / r.bare.rps)
const es256VsHs256 = perRound(verifyRounds, r => r.bearer.rps / r.hs256.rps)

/**
 * The first verify of a token, before the cache holds it: µs of CPU per token for each
 * algorithm, with the verifiers the server builds (fast-jwt, algorithm pinned, no cache).
 */
async function firstVerifyMicros () {
  const { createSigner, createVerifier } = await import(pathToFileURL(join(root, 'node_modules/fast-jwt/src/index.js')).href)
  const { generateKeyPairSync } = await import('node:crypto')
  const n = args.smoke ? 200 : 5000
  const keys = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: generateKeyPairSync('ed25519'),
    HS256: { privateKey: 'bench-access-secret-0123456789abcdef0123', publicKey: 'bench-access-secret-0123456789abcdef0123' }
  }
  const out = {}
  for (const [alg, { privateKey, publicKey }] of Object.entries(keys)) {
    const pem = k => typeof k === 'string' ? k : k.export({ format: 'pem', type: k.type === 'private' ? 'pkcs8' : 'spki' })
    const sign = createSigner({ algorithm: alg, key: pem(privateKey) })
    const verify = createVerifier({ algorithms: [alg], key: pem(publicKey), cache: false })
    const tokens = Array.from({ length: n }, (_, i) => sign({ sub: String(i), typ: 'access', iat: 1, exp: 4e9 }))
    const before = process.cpuUsage()
    for (const token of tokens) verify(token)
    const used = process.cpuUsage(before)
    out[alg] = (used.user + used.system) / n
  }
  return out
}
const firstVerify = await firstVerifyMicros()
const tutString = await scenario('verify: tutorial, string secret', [tutorial], { port: PORTS.tutorial, path: '/auth/verify', headers: bearer(tutorialSessions[0].accessToken), connections: 50 })
const tutKey = await scenario('verify: tutorial, KeyObject secret', [tutorial], { port: PORTS.tutorial, path: '/auth/verify-keyobject', headers: bearer(tutorialSessions[0].accessToken), connections: 50 })
const baSession = await scenario('session: better-auth get-session', withDb(ba), { port: PORTS.betterAuth, path: '/api/auth/get-session', headers: { cookie: baCookies[0], ...baOrigin }, connections: 50 })
const oursMe = await scenario('profile: GET /users/me (DB read)', withDb(ours), { port: PORTS.ours, path: '/users/me', headers: bearer(oursSessions[0].accessToken), connections: 50 })
const oursMeCookie = await scenario('profile: GET /users/me (DB read), cookie', withDb(ours), { port: PORTS.ours, path: '/users/me', headers: { cookie: oursCookie }, connections: 50 })

console.error(`refresh rotation: ours and the tutorial interleaved, ${ROUNDS} rounds…`)
const refreshers = Math.min(10, USERS - 2)
const oursTokens = oursSessions.slice(1, 1 + refreshers).map(s => s.refreshToken)
const tutTokens = tutorialSessions.slice(1, 1 + refreshers).map(s => s.refreshToken)
const refreshRounds = await interleaved({
  ours: tag => refreshLoop(`refresh: rotation loop (each user sequential)${tag}`, withDb(ours), { port: PORTS.ours, path: '/auth/refresh', tokens: oursTokens }),
  tutorial: tag => refreshLoop(`refresh: tutorial read-modify-save${tag}`, withDb(tutorial), { port: PORTS.tutorial, path: '/refresh', tokens: tutTokens })
})
const refreshRps = perRound(refreshRounds, r => r.ours.rps / r.tutorial.rps)
const refreshP99 = perRound(refreshRounds, r => r.ours.p99 / r.tutorial.p99)

console.error('login…')
const loginReq = (path, tag, extra = {}) => ({ method: 'POST', path, headers: { 'content-type': 'application/json', 'x-auth-mode': 'bearer', ...extra }, body: JSON.stringify({ email: email(tag, USERS - 1), password: PASSWORD }) })
const loginRounds = await interleaved({
  ours: tag => scenario(`login: argon2id m=7MiB t=5${tag}`, withDb(ours), { port: PORTS.ours, connections: 8, requests: [loginReq('/auth/login', 'o')] }),
  tutorial: tag => scenario(`login: tutorial bcrypt-10${tag}`, withDb(tutorial), { port: PORTS.tutorial, connections: 8, requests: [loginReq('/login', 't')] })
})
const loginRps = perRound(loginRounds, r => r.ours.rps / r.tutorial.rps)
const oursLogin = medianRow(loginRounds, 'ours')
const tutLogin = medianRow(loginRounds, 'tutorial')
const baLogin = await scenario('login: better-auth scrypt', withDb(ba), { port: PORTS.betterAuth, connections: 8, requests: [loginReq('/api/auth/sign-in/email', 'b', baOrigin)] })

console.error(`protected p99 during a login storm: idle and storm interleaved, ${ROUNDS} rounds…`)
const probe = { port: PORTS.ours, path: '/auth/verify', headers: bearer(oursSessions[0].accessToken), workers: 4, rate: 400 }
const stormRounds = await interleaved({
  idle: async tag => {
    // Idle means idle: the servers first finish the logins still queued (the scenarios above, the
    // previous round's storm).
    await new Promise(resolve => setTimeout(resolve, 3000))
    return probeLoop(`probe: verify at 400 req/s, idle${tag}`, [ours], probe)
  },
  storm: async tag => (await Promise.all([
    probeLoop(`probe: verify at 400 req/s, during login storm${tag}`, [ours], probe),
    autocannon({ url: `http://127.0.0.1:${PORTS.ours}`, duration: DURATION, connections: 16, requests: [loginReq('/auth/login', 'o')] })
  ]))[0]
})
const stormP99 = perRound(stormRounds, r => r.storm.p99 / r.idle.p99)

console.error('RSS before/after 100k mixed requests…')
const rssBefore = procStats(ours.pid).rss
const serverProcesses = nodeProcessesOf(ours.pid)
const mixed = args.smoke ? 2000 : 100_000
const mixedRun = await autocannon({
  url: `http://127.0.0.1:${PORTS.ours}`,
  amount: mixed,
  connections: 20,
  requests: [
    { method: 'GET', path: '/auth/verify', headers: bearer(oursSessions[0].accessToken) },
    { method: 'GET', path: '/users/me', headers: bearer(oursSessions[0].accessToken) },
    { method: 'GET', path: '/health' },
    { method: 'GET', path: '/auth/verify', headers: { cookie: oursCookie } }
  ]
})
const rssAfter = procStats(ours.pid).rss

// ---------------------------------------------------------------------------------------------
const times = (a, b) => `${(a / b).toFixed(1)}×`
const perCore = r => r.serverCores > 0 ? (r.rps / r.serverCores).toFixed(1) : 'n/a'
const lines = []
const print = s => { lines.push(s); console.log(s) }
print(`\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ${DURATION}s per scenario; each server's DB collection holds ${USERS} users.`)
print('\n| scenario | req/s | p50 ms | p99 ms | errors | conns | CPU (server, db) | server µs/req | load generator CPU |')
print('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |')
for (const r of results) print(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.connections} | ${r.cpu} | ${r.usPerReq || ''} | ${r.loadgen} |`)
print('\n| ratio | value | target |')
print('| --- | ---: | --- |')
/** A perRound() result as "median (each round)". */
const percents = ({ median, each }) => `${Math.round(100 * median)} % (${each.map(x => Math.round(100 * x)).join(', ')})`
const multiples = ({ median, each }) => `${median.toFixed(1)}× (${each.map(x => `${x.toFixed(1)}×`).join(', ')})`
print(`| bearer verify / bare route, median of ${ROUNDS} interleaved rounds (each round) | ${percents(bearerVsBare)} | ≥ 85 % |`)
print(`| cookie verify / bare route, likewise | ${percents(cookieVsBare)} | |`)
print(`| server CPU per request: bare / bearer verify, likewise | ${percents(cpuVsBare)} | the same ratio, less noisy |`)
print(`| bare route with our server's options / bare route, likewise: the options' share (logger, timeouts, headers) | ${percents(configuredVsBare)} | |`)
print(`| bearer verify / bare route with our server's options, likewise: the rest (authenticating, in the whole app) | ${percents(bearerVsConfigured)} | |`)
print(`| server CPU per request: bare route with our options / bearer verify, likewise | ${percents(cpuVsConfigured)} | |`)
print(`| bearer verify, ES256 / the same server with HS256, likewise (the cache makes the algorithm's cost a once-per-token one) | ${percents(es256VsHs256)} | ≥ 90 % |`)
print(`| first verify of a new token, µs of CPU (ES256 / EdDSA / HS256; fast-jwt, no cache) | ${[firstVerify.ES256, firstVerify.EdDSA, firstVerify.HS256].map(x => x.toFixed(1)).join(' / ')} | |`)
print(`| bearer verify / tutorial (string secret) | ${times(oursBearer.rps, tutString.rps)} | ≥ 15× |`)
print(`| bearer verify / tutorial (KeyObject) | ${times(oursBearer.rps, tutKey.rps)} | |`)
print(`| bearer verify / better-auth get-session | ${times(oursBearer.rps, baSession.rps)} | ≥ 30× |`)
print(`| /users/me (DB) / better-auth get-session | ${times(oursMe.rps, baSession.rps)} | |`)
print(`| /users/me (DB), cookie / better-auth get-session | ${times(oursMeCookie.rps, baSession.rps)} | |`)
print(`| refresh req/s / tutorial refresh, median of ${ROUNDS} interleaved rounds (each round) | ${multiples(refreshRps)} | ≥ 2× |`)
print(`| refresh p99 / tutorial refresh p99, likewise | ${percents(refreshP99)} | ≤ 50 % |`)
print(`| login req/s / tutorial bcrypt-10 login, likewise | ${multiples(loginRps)} | ≥ 2× |`)
print(`| login req/s / better-auth sign-in | ${times(oursLogin.rps, baLogin.rps)} | |`)
print(`| argon2id logins/s per server core vs bcrypt-10 (tutorial) | ${perCore(oursLogin)} vs ${perCore(tutLogin)} | |`)
print(`| protected p99 during login storm / idle, median of ${ROUNDS} interleaved rounds (each round: storm vs idle ms) | ${multiples(stormP99)} (${stormRounds.map(r => `${r.storm.p99} vs ${r.idle.p99}`).join('; ')}) | |`)
print(`| RSS before → after ${mixed} mixed requests | ${Math.round(rssBefore / 2 ** 20)} → ${Math.round(rssAfter / 2 ** 20)} MiB in ${serverProcesses} node process${serverProcesses === 1 ? '' : 'es'} (${mixedRun.errors + mixedRun.non2xx} errors) | |`)
const totalErrors = results.reduce((n, r) => n + r.errors, 0) + mixedRun.errors + mixedRun.non2xx
print(`\nErrors across all scenarios: ${totalErrors}`)

mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.md`), lines.join('\n') + '\n')
stopAll()
process.exit(totalErrors === 0 ? 0 : 1)
