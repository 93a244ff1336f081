// Baseline (a): the limit. A bare Fastify route with no authentication.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
const user = { userId: '6b0442661b7ba7fd0bc37eb6', sessionId: '0b37c35eb371ee156e994afd552e5781', roles: ['user'], expiresAt: '2030-01-01T00:00:00.000Z' }
app.get('/auth/verify', async () => user)
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
