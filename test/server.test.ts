import { spawnSync } from 'node:child_process'
import t from 'tap'

t.test('production refuses development defaults: one line per variable, exit 1, no stack trace', async t => {
  // What `npm run start:prod` with an empty environment does.
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
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
