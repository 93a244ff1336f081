import { basename, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import fp from 'fastify-plugin'

/**
 * The browser client (/client.js) and the demo page (/) from public/. Same origin as the API,
 * so the strict CSP (script-src 'self') holds for them too.
 * @see https://github.com/fastify/fastify-static
 */
export default fp(async function staticFiles (fastify) {
  // This file runs from plugins/external/ or, built, from dist/plugins/external/.
  const up = join(import.meta.dirname, '..', '..')
  await fastify.register(fastifyStatic, {
    root: join(basename(up) === 'dist' ? join(up, '..') : up, 'public'),
    wildcard: false,
    index: 'index.html',
    cacheControl: true,
    maxAge: '5m'
  })
}, { name: 'static' })
