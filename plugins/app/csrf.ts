import fp from 'fastify-plugin'
import { CsrfError } from '../../src/errors.js'
import { firstHeader as header, isSameOriginOrAllowed } from '../../src/lib/origin.js'

/**
 * Requests that carry `Authorization` or `X-Auth-Mode` are not cookie-authenticated (and a
 * cross-site page cannot send those headers without a CORS preflight we refuse), so only the
 * others are checked. Login and register are covered too (login CSRF). A failure never clears
 * the session.
 */
export default fp(async function csrf (fastify) {
  const allowed = fastify.config.allowedOrigins
  fastify.addHook('onRequest', async request => {
    const h = request.headers
    if (h.authorization !== undefined || h['x-auth-mode'] !== undefined) return
    const passes = isSameOriginOrAllowed({
      method: request.method,
      origin: header(h.origin),
      referer: header(h.referer),
      secFetchSite: header(h['sec-fetch-site']),
      selfOrigin: `${request.protocol}://${request.host}`,
      allowed
    })
    if (!passes) throw new CsrfError()
  })
}, { name: 'csrf', dependencies: ['config'] })
