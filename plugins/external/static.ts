import { basename, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import fp from 'fastify-plugin'
import { safeRedirect } from '../../src/lib/origin.js'

/**
 * The browser client (/client.js), the demo page (/) and the pages mail links open, from public/. Same origin as the API,
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
  // The pages' branding: the accent colour, as a CSS custom property every page's style uses.
  const theme = `:root { --accent: ${fastify.config.UI_ACCENT_COLOR}; }\n`
  fastify.get('/theme.css', { schema: { hide: true } }, (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(theme)
  })
  // The sign-in page an app sends its users to: /login?redirect_to=<URL>, where they come back
  // signed in. Only a path on this server or a URL on an allowed origin is served; any other
  // target is dropped (no open redirect), and the page honours redirect_to on /login only.
  const { PUBLIC_URL, allowedOrigins } = fastify.config
  fastify.get('/login', { schema: { hide: true } }, (request, reply) => {
    const target = (request.query as { redirect_to?: unknown }).redirect_to
    if (target !== undefined && (typeof target !== 'string' || safeRedirect(target, PUBLIC_URL, allowedOrigins) === null)) return reply.redirect('/login', 302)
    return reply.sendFile('index.html')
  })
  // The pages that mail links open. They read the token from the URL fragment and use it only
  // on a click; a GET (or a scanner's HEAD) consumes nothing.
  for (const page of ['reset-password', 'verify-email']) {
    fastify.get(`/${page}`, { schema: { hide: true } }, (_request, reply) => reply.sendFile(`${page}.html`))
  }
}, { name: 'static', dependencies: ['config'] })
