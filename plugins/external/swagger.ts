import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

/**
 * OpenAPI 3 document at /docs/json, generated from the routes' TypeBox schemas; UI at /docs.
 * @see https://github.com/fastify/fastify-swagger
 */
export default fp(async function swagger (fastify) {
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Auth server',
        version: '0.1.0',
        description: 'Register, log in, rotate refresh tokens. Browsers use HttpOnly cookies; REST and mobile clients send `X-Auth-Mode: bearer` and `Authorization: Bearer <access token>`.'
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'access_token', description: '`__Host-access_token` when COOKIE_SECURE=true' }
        }
      }
    }
  })
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true })
}, { name: 'swagger' })
