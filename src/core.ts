import type { FastifyInstance } from 'fastify'
import configPlugin from '../plugins/app/config.js'
import modelsPlugin from '../plugins/app/models.js'
import jwtPlugin from '../plugins/external/jwt.js'
import mongoosePlugin from '../plugins/external/mongoose.js'
import type { Config } from './config.js'

/**
 * Config, JWT keys, the database connection and the models bound to them, in dependency order:
 * what the services need. Shared by the app (src/app.ts) and the auth thread's headless app
 * (src/auth-thread-entry.ts).
 */
export async function registerCore (fastify: FastifyInstance, opts: { config: Config, mongoUrl: string }): Promise<void> {
  await fastify.register(configPlugin, { config: opts.config })
  await fastify.register(jwtPlugin)
  await fastify.register(mongoosePlugin, { url: opts.mongoUrl })
  await fastify.register(modelsPlugin)
}
