import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import accessTokensPlugin from '../plugins/app/access-tokens.js'
import authenticatePlugin from '../plugins/app/authenticate.js'
import authorizationPlugin from '../plugins/app/authorization.js'
import configPlugin from '../plugins/app/config.js'
import csrfPlugin from '../plugins/app/csrf.js'
import modelsPlugin from '../plugins/app/models.js'
import servicesPlugin from '../plugins/app/services.js'
import cookiePlugin from '../plugins/external/cookie.js'
import corsPlugin from '../plugins/external/cors.js'
import helmetPlugin from '../plugins/external/helmet.js'
import jwtPlugin from '../plugins/external/jwt.js'
import mongoosePlugin from '../plugins/external/mongoose.js'
import rateLimitPlugin from '../plugins/external/rate-limit.js'
import redisPlugin from '../plugins/external/redis.js'
import staticPlugin from '../plugins/external/static.js'
import swaggerPlugin from '../plugins/external/swagger.js'
import authRoutes from '../routes/auth/index.js'
import healthRoutes, { probes } from '../routes/health.js'
import metricsRoutes from '../routes/metrics.js'
import adminRoutes from '../routes/admin/index.js'
import verifyRoutes, { MACHINE_HEADERS, wellKnown } from '../routes/auth/verify.js'
import userRoutes from '../routes/users/index.js'
import type { Config } from './config.js'
import { isDatabaseUnavailable } from './db-unavailable.js'
import { ForbiddenKeyError, NotFoundError, OidcProviderError, ServiceUnavailableError } from './errors.js'
import { NAMED_SCHEMAS } from './schemas/index.js'
import { documentedCodes } from './schemas/common.js'
import { createSerializerCompiler, createValidatorCompiler, formatSchemaErrors } from './validation.js'

export interface AppOptions {
  config: Config
  mongoUrl: string
}

const isJson = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** A stable code for errors that arrive without one (e.g. thrown by a dependency). */
function codeFor (err: FastifyError, status: number): string {
  if (err.validation) return 'VALIDATION_ERROR'
  if (typeof err.code === 'string' && err.code) return err.code
  return (STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/[^A-Z]+/g, '_')
}

/**
 * Everything a browser talks to, in its own encapsulation context: security headers, CORS, the
 * CSRF check and per-IP rate limits apply to these routes only.
 */
async function browserFacing (fastify: FastifyInstance) {
  // Responses carry tokens and personal data: never stored by a browser or a shared cache
  // (RFC 6749 §5.1). First, so that the refusals of the hooks below (429, CSRF 403) carry it
  // too; static files override it with their own caching headers.
  fastify.addHook('onRequest', async (_request, reply) => { reply.header('cache-control', 'no-store') })
  await fastify.register(cookiePlugin)
  await fastify.register(helmetPlugin)
  await fastify.register(corsPlugin)
  await fastify.register(rateLimitPlugin)
  await fastify.register(csrfPlugin)

  fastify.setNotFoundHandler(function (request) {
    throw new NotFoundError(request.method, request.url)
  })

  await fastify.register(staticPlugin)
  await fastify.register(healthRoutes)
  await fastify.register(authRoutes, { prefix: '/auth' })
  await fastify.register(userRoutes, { prefix: '/users' })
  await fastify.register(adminRoutes, { prefix: '/admin' })
}

/**
 * What machines call (token introspection by services and reverse-proxy forward-auth, the JWKS,
 * the probes, /metrics) sits outside the browser-facing hooks: they would cost /auth/verify two
 * thirds of its throughput, and a per-IP limit would throttle every user behind one proxy. Its
 * answers, refusals included, carry the headers that matter to a machine (no sniffing, no
 * caching, no rendering), set first by one hook.
 */
async function machineFacing (fastify: FastifyInstance) {
  fastify.addHook('onRequest', function machineHeaders (_request, reply, done) {
    reply.headers(MACHINE_HEADERS)
    done()
  })
  if (fastify.config.METRICS_TOKEN !== undefined) await fastify.register(metricsRoutes)
  await fastify.register(verifyRoutes, { prefix: '/auth' })
  await fastify.register(wellKnown)
  await fastify.register(probes)
}

/**
 * The composition root. Plugins are registered explicitly, in dependency order (each declares
 * its dependencies, so a wrong order fails at boot instead of silently 404ing).
 */
async function app (fastify: FastifyInstance, opts: AppOptions) {
  for (const schema of NAMED_SCHEMAS) fastify.addSchema(schema)
  // Fastify's JSON parser, which refuses __proto__ and constructor keys; its refusal then says so.
  const parseJson = fastify.getDefaultJsonParser('error', 'error')
  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, function (request, body, done) {
    parseJson(request, body as string, (err, value) => {
      // Valid JSON that the secure parser refused: it holds one of those keys.
      if ((err as FastifyError | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isJson(body as string)) done(new ForbiddenKeyError(), undefined)
      else done(err, value)
    })
  })
  fastify.setValidatorCompiler(createValidatorCompiler(NAMED_SCHEMAS))
  fastify.setSerializerCompiler(createSerializerCompiler(NAMED_SCHEMAS))
  fastify.setSchemaErrorFormatter(formatSchemaErrors)
  await fastify.register(configPlugin, { config: opts.config })
  await fastify.register(jwtPlugin)
  await fastify.register(mongoosePlugin, { url: opts.mongoUrl, connectTimeoutMs: opts.config.mongoConnectTimeoutMs })
  await fastify.register(accessTokensPlugin)
  await fastify.register(redisPlugin)
  await fastify.register(modelsPlugin)
  await fastify.register(swaggerPlugin)
  await fastify.register(servicesPlugin)
  await fastify.register(authenticatePlugin)
  await fastify.register(authorizationPlugin)

  fastify.setErrorHandler(function (caught: FastifyError, request, reply) {
    let err = caught
    if (isDatabaseUnavailable(err)) {
      request.log.error({ err }, 'database unavailable')
      err = new ServiceUnavailableError()
    }
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    // 503 and an identity provider's failure (502) keep their codes: clients retry on them.
    if (status >= 500 && status !== 503 && !(err instanceof OidcProviderError)) {
      request.log.error({ err }, 'request failed')
      return reply.code(status).send({ statusCode: status, code: 'INTERNAL_ERROR', error: STATUS_CODES[status], message: 'Internal server error' })
    }
    const code = codeFor(err, status)
    if (request.raw.socket?.destroyed === true) {
      // The connection is gone: the client left, or Node cut the request off (REQUEST_TIMEOUT:
      // it answered 408 itself). Nobody reads an answer.
      request.log.info({ code }, 'request aborted')
      return reply.code(status).send()
    }
    request.log.info({ code, status }, err.message)
    // The OpenAPI document lists each operation's codes; clients branch on them.
    const documented = documentedCodes(request.routeOptions.schema?.response?.[status as keyof object])
    if (request.routeOptions.schema && !documented?.includes(code)) request.log.warn({ code, status, route: request.routeOptions.url }, 'undocumented error code')
    const retryAfter = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter))
    // An error may carry more for the client (AUTH_MFA_REQUIRED: its `mfa` object), documented with its route.
    const body = (err as { body?: Record<string, unknown> }).body
    return reply.code(status).send({ ...body, statusCode: status, code, error: STATUS_CODES[status], message: err.message })
  })

  if (opts.config.METRICS_TOKEN !== undefined) {
    const { metrics } = fastify
    // Every route's requests, by its pattern (never the raw URL: no ids or tokens in labels).
    fastify.addHook('onResponse', function (request, reply, done) {
      metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000)
      done()
    })
  }

  await fastify.register(machineFacing)
  await fastify.register(browserFacing)
}

export default fp(app, { name: 'app' })
