import { once } from 'node:events'
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { startEmbeddedMongo } from '../../src/embedded-mongo.js'
import { BEARER, buildWithLogs, me, refreshBearer, registerBearer } from '../helper.js'

/**
 * A TCP relay between the app and its database that can be cut and restored: the database
 * (and its data) lives on, the app loses it, as when a network or a MongoDB primary goes away.
 */
async function relay (target: number) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = async () => {
    server = createServer(client => {
      const upstream = createConnection(target, '127.0.0.1')
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
        s.on('error', () => s.destroy())
      }
      client.pipe(upstream).pipe(client)
    })
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  }
  await listen()
  return {
    port: () => port,
    async cut () {
      const closed = new Promise(resolve => server!.close(resolve))
      for (const s of sockets) s.destroy()
      await closed
    },
    restore: listen,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise(resolve => server?.listening ? server.close(resolve) : resolve(null))
    }
  }
}

t.test('a database outage under live traffic: 503s only, DB-free routes keep answering, everything recovers', { timeout: 120_000 }, async t => {
  const mongo = await startEmbeddedMongo()
  t.teardown(() => mongo.stop())
  const target = Number(/:(\d+)\//.exec(mongo.url('x'))![1])
  const link = await relay(target)
  t.teardown(() => link.close())
  const viaRelay = { url: (db: string) => mongo.url(db).replace(`:${target}/`, `:${link.port()}/`), stop: async () => {} }
  // A rotation whose acknowledgement the cut swallowed was applied: the client's retry with the
  // same token must land in the grace window (its purpose: lost responses), however long the
  // outage lasts on a slow machine.
  const { app } = await buildWithLogs(t, { REFRESH_GRACE_SECONDS: 300 }, { mongo: viaRelay })

  // Sessions made before the outage, left alone until the end.
  const before = await Promise.all(Array.from({ length: 5 }, () => registerBearer(app)))
  // The live traffic: a DB-free check, a profile read, refreshes, logins.
  const worker = await registerBearer(app)
  let refreshToken = worker.refreshToken
  const counts = new Map<string, number>()
  const count = (route: string, status: number) => counts.set(`${route} ${status}`, (counts.get(`${route} ${status}`) ?? 0) + 1)
  const state = { phase: 'before' as 'before' | 'outage' | 'after', running: true }
  const seen = { verifyDuringOutage: 0, unavailable: 0, recovered: 0 }
  const traffic = (async () => {
    while (state.running) {
      const [verify, profile, refresh, login] = await Promise.all([
        app.inject({ url: '/auth/verify', headers: { authorization: `Bearer ${worker.accessToken}` } }),
        me(app, worker.accessToken),
        refreshBearer(app, refreshToken),
        app.inject({ method: 'POST', url: '/auth/login', headers: BEARER, payload: { email: worker.user.email, password: 'correct horse battery' } })
      ])
      for (const [route, res] of [['verify', verify], ['profile', profile], ['refresh', refresh], ['login', login]] as const) count(route, res.statusCode)
      if (refresh.statusCode === 200) refreshToken = refresh.json().refreshToken
      if (state.phase === 'outage' && verify.statusCode === 200) seen.verifyDuringOutage++
      if (state.phase === 'outage' && profile.statusCode === 503) seen.unavailable++
      if (state.phase === 'after' && profile.statusCode === 200) seen.recovered++
    }
  })()

  await sleep(200)
  state.phase = 'outage'
  await link.cut()
  while (seen.unavailable < 2) await sleep(50)
  state.phase = 'after'
  await link.restore()
  while (seen.recovered < 3) await sleep(50)
  state.running = false
  await traffic

  const statuses = [...counts.keys()].map(k => Number(k.split(' ')[1]))
  t.same([...new Set(statuses)].sort(), [200, 503], `only 200s and 503s: ${JSON.stringify(Object.fromEntries(counts))}`)
  t.notOk(statuses.some(s => s >= 500 && s !== 503), 'never a 500')
  t.ok(seen.verifyDuringOutage > 0, '/auth/verify kept answering 200 during the outage (no database)')
  t.same((await Promise.all(before.map(s => refreshBearer(app, s.refreshToken)))).map(r => r.statusCode), [200, 200, 200, 200, 200], 'every session made before the outage still refreshes')
  t.equal((await me(app, worker.accessToken)).statusCode, 200)
})

t.test('at boot, an unreachable database is retried, then the boot fails with one line; a malformed URL at once', async t => {
  const unreachable = { url: () => 'mongodb://app:s3cret-pw@127.0.0.1:9/auth?serverMonitoringMode=poll', stop: async () => {} }
  const logs: Array<Record<string, unknown>> = []
  await t.rejects(buildWithLogs({ teardown: () => {} }, { MONGO_CONNECT_TIMEOUT: '2s' }, { mongo: unreachable, logs }), { name: 'BootError', message: /^MONGO_URL \(mongodb:\/\/app:\*\*\*@127\.0\.0\.1:9\/auth.*\): the database did not answer within MONGO_CONNECT_TIMEOUT/ })
  t.same(logs.filter(l => l.level === 40).map(l => String(l.msg).replace(/\(.*?\)/, '(…)')), ['MONGO_URL (…): the database does not answer (connect ECONNREFUSED 127.0.0.1:9); retrying until MONGO_CONNECT_TIMEOUT'], 'one warning first, naming the cause')
  t.notOk(JSON.stringify(logs).includes('s3cret-pw'), 'the password masked')
  const malformed = { url: () => 'postgres://db/auth', stop: async () => {} }
  await t.rejects(buildWithLogs({ teardown: () => {} }, {}, { mongo: malformed }), { name: 'BootError', message: /^MONGO_URL \(postgres:\/\/db\/auth\) is not a usable connection string/ })
})
