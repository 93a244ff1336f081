import fastifyCookie from '@fastify/cookie'
import fp from 'fastify-plugin'

/**
 * Cookies are not signed: their values are JWTs with their own signatures.
 * @see https://github.com/fastify/fastify-cookie
 */
export default fp(async function cookie (fastify) {
  await fastify.register(fastifyCookie)
}, { name: 'cookie' })
