import t from 'tap'
import { MESSAGES, messageFor } from '../public/messages.js'
import { build } from './helper.js'

/** Every error code a response of the OpenAPI document can carry. */
function documentedCodes (doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }): Set<string> {
  const codes = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return }
    if (typeof node !== 'object' || node === null) return
    const code = (node as { properties?: { code?: { enum?: string[] } } }).properties?.code?.enum
    if (code) for (const c of code) codes.add(c)
    Object.values(node).forEach(visit)
  }
  for (const methods of Object.values(doc.paths)) for (const op of Object.values(methods)) visit(op.responses)
  return codes
}

t.test('every error code the API documents has a sentence a person can read', async t => {
  const app = await build(t)
  const codes = documentedCodes((await app.inject('/docs/json')).json())
  t.ok(codes.size > 40, `premise: ${codes.size} codes documented`)
  for (const code of codes) t.ok(MESSAGES[code], `${code} has a message`)
  for (const [code, text] of Object.entries(MESSAGES)) {
    t.match(text, /^[A-Z].*[.]$/, `${code}: a sentence`)
    t.notMatch(text, /[A-Z]{2,}_[A-Z]/, `${code}: names no code`)
  }
})

t.test('messageFor: the sentence of a code; a generic one otherwise, never the code', async t => {
  t.equal(messageFor({ code: 'AUTH_INVALID_CREDENTIALS' }), 'Wrong email or password.')
  for (const err of [{ code: 'SOMETHING_NEW' }, new Error('boom'), null, 'text']) t.equal(messageFor(err), MESSAGES.HTTP_ERROR)
})
