import { createServer } from 'node:net'

export interface EmbeddedMongo {
  url: (dbName: string) => string
  stop: () => Promise<void>
}

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

/**
 * Starts CongoDB, a MongoDB-wire server written in TypeScript, in this process with in-memory
 * storage: nothing to install, nothing persisted. See docs/development.md ("Embedded database") for what it
 * does not do; production sets MONGO_URL to a real MongoDB.
 * The URL polls for server status: the driver's streaming heartbeat makes CongoDB answer badly.
 */
export async function startEmbeddedMongo (): Promise<EmbeddedMongo> {
  const { CongoServer } = await import('@push.rocks/smartmongo/dist_ts/congodb/index.js')
  const port = await freePort()
  const server = new CongoServer({ port, host: '127.0.0.1' })
  await server.start()
  return {
    url: dbName => `mongodb://127.0.0.1:${port}/${dbName}?directConnection=true&serverMonitoringMode=poll`,
    stop: () => server.stop()
  }
}
