import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './e2e/chromium.js'

/** Debian's redis-server (.ci/run installs it); REDIS_SERVER_PATH points elsewhere. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server'

/** False, or why the Redis tests skip. */
export const skipWithoutRedis: false | string = existsSync(REDIS_SERVER) ? false : `redis-server not found at ${REDIS_SERVER} (apt-get install -y redis-server; .ci/run does)`

const answers = (port: number) => new Promise<boolean>(resolve => {
  const socket = connect(port, '127.0.0.1', () => { socket.end(); resolve(true) })
  socket.on('error', () => resolve(false))
})

/** A real Redis on a free loopback port, in memory only, stopped by `stop()`. */
export async function startRedis () {
  const port = await freePort()
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  while (!(await answers(port))) await sleep(20)
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop () {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}
