import type { FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'

/** Never logged, whatever a handler or plugin passes to pino. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password', '*.currentPassword', '*.newPassword', '*.passwordHash',
  '*.accessToken', '*.refreshToken', '*.token', '*.tokenHash', '*.prevHash',
  'password', 'passwordHash', 'accessToken', 'refreshToken', 'token'
]

/** Shared by src/server.ts and test/helper.ts so tests run with production options. */
export function serverOptions (config: Config): FastifyServerOptions {
  return {
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' }
    },
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    // Path parameters are ids here; nothing legitimate is longer.
    routerOptions: { maxParamLength: 200 }
  }
}
