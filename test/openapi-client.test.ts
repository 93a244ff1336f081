import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import t from 'tap'
import ts from 'typescript'
import { build, PASSWORD, uniqueEmail } from './helper.js'

const root = new URL('..', import.meta.url)
const FLOW = new URL('fixtures/openapi-client/flow.ts', import.meta.url)

t.test('a client generated from /docs/json compiles under --strict and runs a whole flow', async t => {
  const app = await build(t)
  const doc = (await app.inject('/docs/json')).json()
  const dir = await mkdtemp(join(tmpdir(), 'openapi-client-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const source = await readFile(FLOW, 'utf8')
  t.notMatch(source.replace(/^\s*\/\/.*$/gm, ''), /\bas\b|\bin\b(?! *\()|<any>|: any\b/, 'the flow narrows without casts or `in` checks')
  await writeFile(join(dir, 'api.d.ts'), astToString(await openapiTS(doc)))
  await writeFile(join(dir, 'flow.ts'), source)
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }')
  await symlink(new URL('node_modules', root), join(dir, 'node_modules'), 'dir')

  const program = ts.createProgram([join(dir, 'flow.ts')], {
    strict: true,
    noUncheckedIndexedAccess: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    outDir: join(dir, 'out')
  })
  const emitted = program.emit()
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]
    .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  t.same(diagnostics, [], 'compiles with no error')

  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const flow: { run: (baseUrl: string, email: string, password: string) => Promise<Record<string, unknown>> } =
    await import(pathToFileURL(join(dir, 'out', 'flow.js')).href)
  const email = uniqueEmail()
  const result = await flow.run(`http://127.0.0.1:${port}`, email, PASSWORD)
  t.match(result, {
    userId: /^[0-9a-f]{24}$/,
    takenCode: 'AUTH_EMAIL_TAKEN',
    email,
    sessionCount: 2,
    current: 1,
    logoutStatus: 204,
    afterLogoutCode: 'AUTH_INVALID_REFRESH_TOKEN'
  })
})
