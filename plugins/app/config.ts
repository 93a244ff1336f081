import fp from 'fastify-plugin'
import type { Config } from '../../src/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

/** Config is validated by loadConfig() before Fastify starts; this only makes it reachable. */
export default fp<{ config: Config }>(async function config (fastify, opts) {
  fastify.decorate('config', opts.config)
  for (const warning of opts.config.warnings) fastify.log.warn(warning)
}, { name: 'config' })
