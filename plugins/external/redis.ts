import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /** REDIS_URL's client (the per-IP rate limits of every instance), or null without it. */
    redis: Redis | null
  }
}

/**
 * One Redis client per app, when REDIS_URL is set. Commands fail at once while Redis is away
 * (no offline queue): the rate limits then fail open, and /health/ready says Redis is down. It
 * reconnects on its own; the first failure of each outage is logged once.
 */
export default fp(async function redis (fastify) {
  const url = fastify.config.REDIS_URL
  if (url === undefined) {
    fastify.decorate('redis', null)
    return
  }
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true })
  let down = false
  client.on('error', err => {
    if (down) return
    down = true
    fastify.log.warn({ err: { message: err.message } }, 'REDIS_URL: Redis is unreachable; per-IP rate limits are off until it is back')
  })
  client.on('ready', () => {
    if (down) fastify.log.info('REDIS_URL: Redis is back; per-IP rate limits hold across instances again')
    down = false
  })
  // A Redis that is down at boot does not stop it: the limits fail open meanwhile.
  await client.connect().catch(() => {})
  fastify.decorate('redis', client)
  fastify.addHook('onClose', async () => { client.disconnect() })
}, { name: 'redis', dependencies: ['config'] })
