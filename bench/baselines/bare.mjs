// Baseline (a): the limit. A bare Fastify route with no authentication.
import Fastify from 'fastify'
import { VERIFIED } from './answer.mjs'

const app = Fastify({ logger: false })
app.get('/auth/verify', async () => VERIFIED)
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
