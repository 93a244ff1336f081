// Baseline (c): better-auth (DB-backed sessions) with its MongoDB adapter on the same embedded DB.
import { createServer } from 'node:http'
import { betterAuth } from 'better-auth'
import { mongodbAdapter } from 'better-auth/adapters/mongodb'
import { toNodeHandler } from 'better-auth/node'
import { MongoClient } from 'mongodb'

const port = Number(process.env.PORT)
const client = new MongoClient(process.env.MONGO_URL)
await client.connect()

const auth = betterAuth({
  database: mongodbAdapter(client.db()),
  emailAndPassword: { enabled: true },
  secret: 'better-auth-bench-secret-0123456789abcdef',
  baseURL: `http://127.0.0.1:${port}`,
  trustedOrigins: [`http://127.0.0.1:${port}`],
  rateLimit: { enabled: false },
  telemetry: { enabled: false }
})

createServer(toNodeHandler(auth)).listen(port, '127.0.0.1')
