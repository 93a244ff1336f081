import fp from 'fastify-plugin'
import mongoose, { type Connection } from 'mongoose'

declare module 'fastify' {
  interface FastifyInstance {
    mongo: Connection
  }
}

/**
 * One connection per app instance (`createConnection`, not the global `connect`), so several
 * apps in one process (tests) never share state; models are bound to it by plugins/app.
 * @see https://mongoosejs.com/docs/connections.html#multiple_connections
 */
export default fp<{ url: string }>(async function mongo (fastify, opts) {
  // No command buffering: with the database gone, requests fail at once instead of hanging.
  const connection = await mongoose.createConnection(opts.url, { serverSelectionTimeoutMS: 5000, bufferCommands: false }).asPromise()
  fastify.decorate('mongo', connection)
  fastify.addHook('onClose', async () => { await connection.close() })
}, { name: 'mongoose' })
