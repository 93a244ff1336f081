// Baseline (a′): the bare route of baseline (a), served the way our server serves /auth/verify
// but with no authentication: the same server options (src/server-options.ts: the pino logger
// with its redaction, socket and request timeouts), the same response schema and the same
// machine headers. This one against the bare route is what those options cost; our bearer verify
// against this one, the rest: authenticating, in a whole application (bench/README.md).
import Fastify from 'fastify'
import { loadConfig } from '../../src/config.js'
import { serverOptions } from '../../src/server-options.js'
import { MACHINE_HEADERS } from '../../routes/auth/verify.js'
import { VerifiedTokenSchema } from '../../src/schemas/account.js'
import { VERIFIED } from './answer.mjs'

const app = Fastify(serverOptions(loadConfig()))
app.get('/auth/verify', { schema: { response: { 200: VerifiedTokenSchema } } }, function (_request, reply) {
  reply.headers(MACHINE_HEADERS).send(VERIFIED)
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
