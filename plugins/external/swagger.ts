import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import pkg from '../../package.json' with { type: 'json' }
import { cookieNames } from '../../src/cookies.js'

/** Set on a route's schema whose body clients may omit (cookie mode sends none). */
const OPTIONAL_BODY = 'x-body-optional'

type Operation = { [OPTIONAL_BODY]?: boolean, requestBody: { required: boolean } }

function markOptionalBodies (doc: { paths: Record<string, Record<string, Operation>> }) {
  for (const operation of Object.values(doc.paths).flatMap(path => Object.values(path))) {
    if (!operation[OPTIONAL_BODY]) continue
    delete operation[OPTIONAL_BODY]
    operation.requestBody.required = false
  }
  return doc
}

/**
 * OpenAPI 3.1 document at /docs/json, generated from the routes' TypeBox schemas; UI at /docs.
 * Named schemas (`$id`) become `components.schemas` under their own names.
 * @see https://github.com/fastify/fastify-swagger
 */
export default fp(async function swagger (fastify) {
  const { config } = fastify
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Auth server',
        version: pkg.version,
        // package.json's licence, an SPDX identifier (LICENSE holds its text).
        license: { name: pkg.license, identifier: pkg.license },
        description: 'Register, log in, rotate refresh tokens. Browsers use HttpOnly cookies (the default); REST and mobile clients send `X-Auth-Mode: bearer` on register, login, refresh and logout, and `Authorization: Bearer <access token>` elsewhere. Every error body has a stable `code`; each operation lists the codes it can return.'
      },
      servers: [{ url: config.PUBLIC_URL }],
      tags: [
        { name: 'auth', description: 'Sessions: register, log in, refresh, log out, check a token' },
        { name: 'sessions', description: "The caller's devices" },
        { name: 'account', description: "The caller's credentials" },
        { name: 'users', description: 'Profiles' },
        { name: 'mfa', description: 'Second factors: authenticator apps (TOTP) and recovery codes' },
        { name: 'admin', description: 'Administration (the `admin` role)' },
        { name: 'health', description: 'For load balancers and orchestrators' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `accessToken` of a BearerSession' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: cookieNames(config.COOKIE_SECURE).access, description: 'Set by register, login and refresh in cookie mode (HttpOnly)' },
          ...(config.METRICS_TOKEN === undefined ? {} : { metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for /metrics only' } })
        }
      }
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    // Fastify requires a body where a route declares one; ours fills in `{}` when none is sent.
    transformObject: doc => markOptionalBodies((doc as unknown as { openapiObject: Parameters<typeof markOptionalBodies>[0] }).openapiObject)
  })
  await fastify.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Outside helmet's context (the UI needs its own CSP): the headers that matter here.
    uiHooks: {
      onRequest (_request, reply, done) {
        reply.header('x-content-type-options', 'nosniff').header('x-frame-options', 'DENY')
        done()
      }
    }
  })
}, { name: 'swagger', dependencies: ['config'] })
