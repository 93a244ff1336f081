import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { ConfigSchema } from '../src/config.js'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

t.test('the configuration page documents every variable src/config.ts reads', async t => {
  const page = read('../docs/configuration.md')
  const names = [...Object.keys(ConfigSchema.properties), ...['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'NAME', 'SCOPES', 'AUDIENCES'].map(s => `OIDC_<ID>_${s}`)]
  for (const name of names) t.ok(page.includes(`\`${name}\``), name)
})

t.test('the README stays short, and every link between the docs leads to a file and heading that exist', async t => {
  const readme = read('../README.md')
  t.ok(readme.split('\n').length <= 200, `README.md: ${readme.split('\n').length} lines`)
  const slug = (heading: string) => heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')
  const headings = (text: string) => new Set([...text.matchAll(/^#+ (.+)$/gm)].map(m => slug(m[1]!)))
  const pages = Object.fromEntries(readdirSync(new URL('../docs', import.meta.url)).map(f => [`docs/${f}`, read(`../docs/${f}`)]))
  for (const [from, text] of Object.entries({ 'README.md': readme, ...pages })) {
    for (const [, target, anchor] of text.matchAll(/\]\((?!https?:)([^)#\s]*)(?:#([a-z0-9-]+))?\)/g)) {
      const file = target ? new URL(target, new URL(`../${from}`, import.meta.url)) : new URL(`../${from}`, import.meta.url)
      let content: string
      try {
        content = readFileSync(file, 'utf8')
      } catch {
        t.fail(`${from}: ${target} does not exist`)
        continue
      }
      if (anchor) t.ok(headings(content).has(anchor), `${from}: ${target || '(this page)'}#${anchor}`)
    }
  }
})
