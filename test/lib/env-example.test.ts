import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import t from 'tap'
import { loadConfig } from '../../src/config.js'

// The parser env-schema reads .env with (Node's own), so these are the values a copy gives.
const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
const values = parseEnv(text) as Record<string, string>

t.test('.env.example loads as written', async t => {
  const config = loadConfig(values)
  t.equal(config.UI_ACCENT_COLOR, '#2456c7', 'a quoted # is a value, not a comment')
  t.equal(config.APP_NAME, 'Auth server')
})

t.test('every commented example that has a value passes the check when uncommented (in order)', async t => {
  const examples = [...text.matchAll(/^# ([A-Z][A-Z0-9_]*=.+)$/gm)].map(m => m[1]!)
  t.ok(examples.length >= 10, `premise: ${examples.length} examples found`)
  let env = { ...values }
  for (const line of examples) {
    env = { ...env, ...parseEnv(line) as Record<string, string> }
    t.doesNotThrow(() => loadConfig(env), line)
  }
  t.equal(loadConfig(env).MAIL_FROM, '"Auth server" <no-reply@example.com>', 'a quoted value with quotes inside')
})
