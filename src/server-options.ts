import type { Server } from 'node:http'
import type { FastifyHttpOptions, FastifyRequest } from 'fastify'
import pretty from 'pino-pretty'
import type { Config } from './config.js'

const SECRET_KEYS = ['password', 'currentPassword', 'newPassword', 'passwordHash', 'accessToken', 'refreshToken', 'token', 'tokenHash', 'prevHash']
/** Objects a log call could plausibly carry a secret in, one level down. */
const CONTAINERS = ['body', 'req.body', 'payload', 'user', 'doc', 'data', 'input', 'session', 'err', 'error']

/**
 * Never logged, whatever a handler or plugin passes to pino. Explicit paths, no leading wildcard
 * (`*.password`): pino then runs the redactor on every binding of every per-request child logger,
 * about 2 µs per request.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_KEYS,
  ...CONTAINERS.flatMap(c => SECRET_KEYS.map(k => `${c}.${k}`))
]

/** Query parameters whose values are secrets by their names: one-time codes, tokens, passwords. */
const SECRET_PARAM = /token|code|password|secret/i

/** `url` with the values of its secret-looking query parameters replaced, for logging. */
export function redactUrl (url: string): string {
  const at = url.indexOf('?')
  if (at < 0) return url
  const params = new URLSearchParams(url.slice(at + 1))
  let redacted = false
  for (const key of new Set(params.keys())) {
    if (SECRET_PARAM.test(key)) {
      params.set(key, '[redacted]')
      redacted = true
    }
  }
  return redacted ? `${url.slice(0, at)}?${params}` : url
}

/** Fastify's request serializer, with the URL redacted. */
function serializeRequest (request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}

/** Human-readable logs on a terminal in development; JSON (for a collector) otherwise, or as LOG_FORMAT says. */
export function logFormat (config: Config, stdoutIsTty = process.stdout.isTTY === true): 'pretty' | 'json' {
  return config.LOG_FORMAT ?? (stdoutIsTty && config.NODE_ENV !== 'production' ? 'pretty' : 'json')
}

/**
 * A hop count as proxy-addr takes it: the socket's peer and the next `hops - 1` entries of
 * X-Forwarded-For are proxies, the one before them the client. (Fastify reads a bare number as
 * "trust nothing".) It trusts whoever connects, so the server must be reachable only through
 * the proxies; a list of their addresses makes no such assumption.
 */
function trustProxy (setting: Config['TRUST_PROXY']) {
  if (typeof setting !== 'number') return setting
  return (_address: string, hop: number) => hop < setting
}

/** Shared by src/server.ts and test/helper.ts so tests run with production options. */
export function serverOptions (config: Config): FastifyHttpOptions<Server> {
  return {
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      // In this thread (a stream, not a transport's worker): one process, one thread.
      ...(logFormat(config) === 'pretty' ? { stream: pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }) } : {})
    },
    bodyLimit: config.BODY_LIMIT,
    trustProxy: trustProxy(config.TRUST_PROXY),
    requestTimeout: config.requestTimeoutMs,
    // Node's own defaults would hold a slow request for 60 s of headers, and check the deadlines
    // only every 30 s: the whole request, headers included, within REQUEST_TIMEOUT, checked often,
    // so a slow request gets its 408 before the idle-socket timeout drops it without a word.
    http: { headersTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(5000, config.requestTimeoutMs / 2) },
    connectionTimeout: 2 * config.requestTimeoutMs,
    // Boot connects to the database and builds indexes: on a busy host that can outlast
    // avvio's 10 s default, which would fail the start rather than wait.
    pluginTimeout: 60_000,
    // Path parameters are ids here; nothing legitimate is longer.
    routerOptions: { maxParamLength: 200 }
  }
}
