import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import { BootError } from '../plugins/external/mongoose.js'
import app from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded-mongo.js'
import { serverOptions } from './server-options.js'

let config: Config
try {
  config = loadConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  // One line per problem, naming its variable; no stack trace: nothing here is a bug.
  for (const problem of err.problems) process.stderr.write(`Invalid configuration: ${problem}\n`)
  process.exit(1)
}

const fastify = Fastify(serverOptions(config))
let embedded: EmbeddedMongo | undefined

if (config.secretsGenerated) {
  fastify.log.warn('REFRESH_TOKEN_SECRET is not set: using a random secret for this process only. Every session dies on restart. Set it (>= 32 chars) in production.')
}

if (config.encryptionKeyGenerated) {
  fastify.log.warn('ENCRYPTION_KEY is not set: using a random key for this process only. Secrets encrypted at rest (authenticator apps enrolled for MFA) become unreadable on restart. Set ENCRYPTION_KEY (>= 32 chars) in production.')
}

let mongoUrl = config.MONGO_URL
if (mongoUrl === undefined) {
  embedded = await startEmbeddedMongo()
  mongoUrl = embedded.url('auth')
  fastify.log.warn('MONGO_URL is not set: using the embedded in-memory MongoDB-wire server. All data is lost when the process stops. Set MONGO_URL=mongodb://... to use a real MongoDB.')
}

closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
  if (err) fastify.log.error({ err }, 'closing after error')
  else fastify.log.info({ signal }, 'closing')
  await fastify.close()
  await embedded?.stop()
})

try {
  await fastify.register(app, { config, mongoUrl })
  await fastify.listen({
    port: config.PORT,
    host: config.HOST,
    // The one startup line: where the API, its docs and the account page are.
    listenTextResolver: address => `Auth server listening at ${address}: API ${config.PUBLIC_URL}, docs ${config.PUBLIC_URL}/docs, account page ${config.PUBLIC_URL}/`
  })
} catch (err) {
  // A boot error's message says it all (which variable, what is wrong): one line, no stack.
  if (err instanceof BootError) fastify.log.error(err.message)
  else fastify.log.error({ err }, 'could not start')
  await embedded?.stop()
  process.exit(1)
}
