import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { InvalidTokenError, NoTokenError } from '../src/errors.js'
import { errorResponses } from '../src/schemas/common.js'

/**
 * Prometheus metrics, for a scraper holding METRICS_TOKEN. Registered only when the token is set
 * (otherwise /metrics is an unknown route, 404), outside the browser-facing hooks and their
 * per-IP limits, and timing every request of the app.
 */
const routes: FastifyPluginAsync = async function (fastify) {
  const { metrics, config } = fastify
  const expected = Buffer.from(`Bearer ${config.METRICS_TOKEN!}`)
  const authorized = (header: string | undefined) => {
    const given = Buffer.from(header ?? '')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  fastify.get('/metrics', {
    schema: {
      operationId: 'getMetrics',
      tags: ['health'],
      summary: 'Prometheus metrics (text format), for Authorization: Bearer <METRICS_TOKEN>',
      description: 'Served only when METRICS_TOKEN is set. HTTP requests by route, method and status (a duration histogram), logins, refreshes and second-factor outcomes, mails queued, sent and failed, password hashes running and queued, and the Node.js process metrics.',
      security: [{ metricsToken: [] }],
      response: {
        200: { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...errorResponses({ 401: [NoTokenError, InvalidTokenError] })
      }
    }
  }, async (request, reply) => {
    const header = request.headers.authorization
    if (header === undefined) throw new NoTokenError()
    if (!authorized(header)) throw new InvalidTokenError()
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}

export default routes
