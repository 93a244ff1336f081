// The embedded MongoDB-wire server (CongoDB) as its own process, so its CPU is measured apart.
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js'

const server = new CongoServer({ port: Number(process.env.PORT), host: '127.0.0.1' })
await server.start()
process.on('SIGTERM', async () => {
  await server.stop()
  process.exit(0)
})
