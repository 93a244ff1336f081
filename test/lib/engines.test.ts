import { readFileSync } from 'node:fs'
import semver from 'semver'
import t from 'tap'

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { engines?: { node?: string }, dependencies?: Record<string, string>, devDependencies?: Record<string, string> }
const root = read('../../package.json')

t.test('every direct dependency installs on each Node the README names, without an EBADENGINE warning', async t => {
  const supported = semver.minVersion(root.engines!.node!)!.version
  t.equal(supported, '20.19.0', 'premise: the project says Node 20.19 and later')
  const names = Object.keys({ ...root.dependencies, ...root.devDependencies })
  t.ok(names.length > 20)
  for (const name of names) {
    const wanted = read(`../../node_modules/${name}/package.json`).engines?.node
    if (wanted) t.ok(semver.satisfies(supported, wanted), `${name} (${wanted})`)
  }
})
