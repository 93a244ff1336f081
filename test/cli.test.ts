import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { NO_TOKENS, runAdminCli } from '../src/admin-cli.js'
import { buildWithLogs, mongoUrl, newDbName, registerBearer } from './helper.js'

/** Runs one command in process; its exit code and what it wrote. */
async function admin (url: string | undefined, ...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runAdminCli(argv, url, { out: l => out.push(l), err: l => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('grant-admin, list-admins, revoke-admin: bootstrapping admins without touching the database by hand', async t => {
  const dbName = newDbName()
  const { app } = await buildWithLogs(t, {}, { dbName })
  const url = await mongoUrl(dbName)
  const ada = await registerBearer(app)
  const bob = await registerBearer(app)

  t.match(await admin(url, 'list-admins'), { code: 0, out: /No admins yet/ })
  t.match(await admin(url, 'grant-admin', ` ${ada.user.email.toUpperCase()} `), { code: 0, out: `${ada.user.email} is an admin` }, 'the address as typed')
  const refreshed = (await app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'x-auth-mode': 'bearer' }, payload: { refreshToken: ada.refreshToken } })).json()
  t.same(refreshed.user.roles, ['user', 'admin'])
  t.equal((await app.inject({ url: '/admin/users', headers: { authorization: `Bearer ${refreshed.accessToken}` } })).statusCode, 200, 'the admin API opens at the next refresh')

  t.match(await admin(url, 'revoke-admin', ada.user.email), { code: 1, err: /Refused: .* is the last active admin/ })
  t.match(await admin(url, 'grant-admin', bob.user.email), { code: 0 })
  t.same((await admin(url, 'list-admins')).out.split('\n').map(l => l.split('\t')[0]), [ada.user.email, bob.user.email])
  t.match(await admin(url, 'revoke-admin', ada.user.email), { code: 0, out: 'is no longer an admin' })
  t.same((await admin(url, 'list-admins')).out.split('\t')[0], bob.user.email)

  const events = await app.mongo.collection('audit').find({ type: 'roles.changed' }).toArray()
  t.equal(events.length, 3)
  t.match(events[0], { actorId: null, userAgent: 'admin-cli', detail: { via: 'admin-cli', to: ['user', 'admin'] } }, 'audited as the tool\'s')

  t.match(await admin(url, 'grant-admin', 'nobody@example.com'), { code: 1, err: 'No user with the email nobody@example.com' })
  for (const argv of [[], ['grant-admin'], ['grant-admin', 'a@b', 'c'], ['list-admins', 'x'], ['drop-database']]) {
    t.match(await admin(url, ...argv), { code: 2, err: /^Usage: npm run admin/ }, argv.join(' ') || '(nothing)')
  }
  t.match(await admin(undefined, 'list-admins'), { code: 1, err: /^MONGO_URL is required/ })
  const bad = await admin('mongodb://', 'list-admins')
  t.match(bad, { code: 1, err: /^Failed: / }, 'a malformed URL: one line')
  t.notMatch(bad.err, /\n\s+at /, 'no stack trace')
  t.throws(() => NO_TOKENS.accessToken({ sub: 'x', sid: 'x', roles: [], ver: 0, amr: [], aal: 'aal1', authTime: new Date(), issuedAt: new Date() }), /issues no tokens/, 'the tool mints no tokens')
  t.throws(() => NO_TOKENS.refreshToken({ sub: 'x', sid: 'x', gen: 1, issuedAt: new Date(), expiresAt: new Date() }), /issues no tokens/)
})

t.test('npm run admin runs the tool as its own process', async t => {
  const dbName = newDbName()
  const { app } = await buildWithLogs(t, {}, { dbName })
  const user = await registerBearer(app)
  // Outside tap's child-process coverage, as test/server.test.ts explains.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, '--import', 'tsx', 'src/cli.ts', 'grant-admin', user.user.email], {
    env: { PATH: process.env.PATH, MONGO_URL: await mongoUrl(dbName) }
  })
  let stdout = ''
  child.stdout.on('data', d => { stdout += String(d) })
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
  t.match(stdout, `${user.user.email} is an admin`)
  t.same((await app.mongo.collection('users').findOne({ email: user.user.email }))?.roles, ['user', 'admin'])
})
