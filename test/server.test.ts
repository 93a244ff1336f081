import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

/**
 * The server as its own process. Through `env -u`: tap instruments the child processes of a test
 * for coverage, and a server run by tsx would report its sources under other source maps.
 */
const SERVER = ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, '--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../src/server.ts', import.meta.url))]

t.test('production refuses development defaults: one line per variable, exit 1, no stack trace', async t => {
  // What `npm run start:prod` with an empty environment does.
  const run = spawnSync('env', SERVER, {
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 60_000
  })
  t.equal(run.status, 1)
  const lines = run.stderr.trim().split('\n')
  t.same(lines.map(l => /^Invalid configuration: (\S+) is required in production/.exec(l)?.[1]), ['MONGO_URL', 'REFRESH_TOKEN_SECRET', 'ENCRYPTION_KEY', 'SMTP_URL'])
  t.notMatch(run.stderr, /^\s+at /m, 'no stack trace')
  t.equal(run.stdout, '', 'and nothing started')
})

const boot = (env: Record<string, string>) => spawnSync('env', SERVER, {
  env: { PATH: process.env.PATH, LOG_LEVEL: 'info', PORT: '0', REFRESH_TOKEN_SECRET: 'r'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), ...env },
  encoding: 'utf8',
  timeout: 60_000
})
/** The JSON log lines at warn level and above. */
const problems = (stdout: string) => stdout.split('\n').filter(Boolean).map(l => JSON.parse(l) as { level: number, msg: string }).filter(l => l.level >= 40)

t.test('an unreachable MONGO_URL: one warning naming it (password masked), then one error line and exit 1', async t => {
  const run = boot({ MONGO_URL: 'mongodb://app:s3cret-pw@127.0.0.1:9/auth', MONGO_CONNECT_TIMEOUT: '2s' })
  t.equal(run.status, 1)
  const lines = problems(run.stdout)
  t.same(lines.map(l => l.level), [40, 50], 'one warning, one error')
  t.match(lines[0]!.msg, /^MONGO_URL \(mongodb:\/\/app:\*\*\*@127\.0\.0\.1:9\/auth\): the database does not answer \(connect ECONNREFUSED 127\.0\.0\.1:9\); retrying/, 'the cause, named')
  t.match(lines[1]!.msg, /^MONGO_URL .*did not answer within MONGO_CONNECT_TIMEOUT \(connect ECONNREFUSED 127\.0\.0\.1:9\)/)
  t.notOk(run.stdout.includes('s3cret-pw') || run.stderr.includes('s3cret-pw'), 'the password is never printed')
  t.notMatch(run.stdout + run.stderr, /^\s+at /m, 'no stack trace')
})

t.test('a malformed MONGO_URL: one line saying what is wrong, at once', async t => {
  const run = boot({ MONGO_URL: 'postgres://db/auth' })
  t.equal(run.status, 1)
  const lines = problems(run.stdout)
  t.equal(lines.length, 1)
  t.match(lines[0]!.msg, /^MONGO_URL \(postgres:\/\/db\/auth\) is not a usable connection string: .*mongodb/)
  t.notMatch(run.stdout + run.stderr, /^\s+at /m, 'no stack trace')
})

/**
 * Starts the server (embedded database) and resolves with its output up to the startup line, or
 * all of it (and what it wrote to stderr) if it ended without one.
 */
async function startUp (env: Record<string, string>, cwd?: string): Promise<string> {
  const child = spawn('env', SERVER, {
    cwd,
    env: { PATH: process.env.PATH, PORT: '0', REFRESH_TOKEN_SECRET: 'r'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  // Listened for from the start: a server that ends on its own must not leave this waiting.
  const exited = once(child, 'exit')
  // Nor one that never starts: after a minute it is stopped, and its output shows why.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000)
  let err = ''
  child.stderr.on('data', chunk => { err += String(chunk) })
  let out = ''
  try {
    for await (const chunk of child.stdout) {
      out += String(chunk)
      if (out.includes('Auth server listening at')) return out
    }
    return `${out}${err}`
  } finally {
    clearTimeout(deadline)
    child.kill('SIGTERM')
    await exited
  }
}

t.test('one startup line with the API, the docs and the account page; JSON or pretty logs', async t => {
  const json = await startUp({ LOG_FORMAT: 'json', PUBLIC_URL: 'https://auth.example.com' })
  const lines = json.trim().split('\n').map(l => JSON.parse(l) as { msg: string })
  const startup = lines.filter(l => l.msg.startsWith('Auth server listening at'))
  t.equal(startup.length, 1, 'one startup line')
  t.match(startup[0]!.msg, /^Auth server listening at http:\/\/127\.0\.0\.1:\d+: API https:\/\/auth\.example\.com, docs https:\/\/auth\.example\.com\/docs, account page https:\/\/auth\.example\.com\/$/)
  const pretty = await startUp({ LOG_FORMAT: 'pretty' })
  t.match(pretty, /INFO.*Auth server listening at/, 'pretty: human-readable')
  t.notOk(pretty.trim().split('\n').some(l => l.startsWith('{')), 'no JSON line')
})

t.test('`cp .env.example .env` boots as it stands', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'env-example-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(fileURLToPath(new URL('../.env.example', import.meta.url)), join(dir, '.env'))
  const out = await startUp({ LOG_FORMAT: 'json' }, dir)
  t.match(out, /Auth server listening at/, 'started with the example as its .env')
  t.notMatch(out, /Invalid configuration/)
})
