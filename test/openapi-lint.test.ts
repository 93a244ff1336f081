import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { build } from './helper.js'

const REDOCLY = fileURLToPath(new URL('../node_modules/@redocly/cli/bin/cli.js', import.meta.url))

t.test("the OpenAPI document passes Redocly's recommended rules with no error and no warning", async t => {
  // As deployed: a public origin (the default, localhost, is for development).
  const app = await build(t, { PUBLIC_URL: 'https://auth.acme.dev', METRICS_TOKEN: 'a metrics token for the linter' })
  const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'openapi.json')
  await writeFile(file, (await app.inject('/docs/json')).body)
  // The provider routes are browser navigations: every answer of theirs is a redirect (302).
  const redirectsOnly = ['/auth/oidc/{provider}/start', '/auth/oidc/{provider}/callback']
    .map(path => `    - '#/paths/${path.replace(/\//g, '~1')}/get/responses'`)
  await writeFile(join(dir, '.redocly.lint-ignore.yaml'), `openapi.json:\n  operation-2xx-response:\n${redirectsOnly.join('\n')}\n`)
  const lint = spawnSync(process.execPath, [REDOCLY, 'lint', file, '--extends', 'recommended', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }
  })
  const report = JSON.parse(lint.stdout) as { totals: { errors: number, warnings: number }, problems: Array<{ ruleId: string, message: string, ignored?: boolean, location?: unknown }> }
  t.same(report.problems.filter(p => !p.ignored).map(p => `${p.ruleId}: ${p.message} ${JSON.stringify(p.location)}`), [], 'no problem')
  t.match(report.totals, { errors: 0, warnings: 0 })
  t.equal(lint.status, 0)
})
