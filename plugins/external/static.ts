import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import fp from 'fastify-plugin'
import { safeRedirect } from '../../src/lib/origin.js'

/**
 * The account UI's pages, each at its own address. One shell (public/app.html) serves them all;
 * /ui.js renders the page the path names. The first group is for signed-out visitors, the
 * second for a signed-in user (the page sends a visitor of the wrong kind on).
 */
export const UI_PAGES = [
  '/login', '/login/second-factor', '/signup', '/forgot-password', '/reset-password', '/verify-email',
  '/account', '/account/security', '/account/devices', '/account/data'
] as const

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

/**
 * The account UI (public/app.html and its scripts), the browser client (/client.js) and the
 * branding stylesheet, from public/. Same origin as the API, so the strict CSP (script-src
 * 'self') holds for them too.
 * @see https://github.com/fastify/fastify-static
 */
export default fp(async function staticFiles (fastify) {
  // This file runs from plugins/external/ or, built, from dist/plugins/external/.
  const up = join(import.meta.dirname, '..', '..')
  const root = join(basename(up) === 'dist' ? join(up, '..') : up, 'public')
  await fastify.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // The shell is served through the page routes below, with the app's name in it.
    allowedPath: path => path !== '/app.html',
    cacheControl: true,
    maxAge: '5m'
  })
  const { APP_NAME, UI_ACCENT_COLOR, UI_LOGO_URL, PUBLIC_URL, allowedOrigins } = fastify.config
  // The header shows the logo, named by APP_NAME for those who cannot see it, or the name itself.
  const brand = UI_LOGO_URL ? `<img src="${escapeHtml(UI_LOGO_URL)}" alt="${escapeHtml(APP_NAME)}">` : escapeHtml(APP_NAME)
  const shell = readFileSync(join(root, 'app.html'), 'utf8').replaceAll('{{APP_NAME}}', escapeHtml(APP_NAME)).replace('{{BRAND}}', brand)
  // The pages' branding: the accent colour, as a CSS custom property every page's style uses.
  const theme = `:root { --accent: ${UI_ACCENT_COLOR}; }\n`
  fastify.get('/theme.css', { schema: { hide: true } }, (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(theme)
  })
  fastify.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/account', 302))
  // An app sends its users to /login?redirect_to=<URL> and gets them back signed in. Only a path
  // on this server or a URL on an allowed origin is served; any other target is dropped (no open
  // redirect). Mail-link pages read their token from the URL fragment and use it only on a
  // click: a GET (or a scanner's HEAD) consumes nothing.
  for (const page of UI_PAGES) {
    fastify.get(page, { schema: { hide: true } }, (request, reply) => {
      const target = (request.query as { redirect_to?: unknown }).redirect_to
      if (target !== undefined && (typeof target !== 'string' || safeRedirect(target, PUBLIC_URL, allowedOrigins) === null)) return reply.redirect(page, 302)
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell)
    })
  }
}, { name: 'static', dependencies: ['config'] })
