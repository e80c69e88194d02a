/**
 * One app process of the revocation-latency benchmark: the library on Fastify with a Redis store in
 * cached mode. Routes without password hashing, so the loop measures revocation, not scrypt.
 */
import { createAuth } from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import { redisStore } from 'authjwt/redis';
import Fastify from 'fastify';
import { createClient } from 'redis';

const client = createClient({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  disableOfflineQueue: true,
});
client.on('error', () => {});
await client.connect();
const auth = createAuth({
  signingKey: { alg: 'HS256', key: process.env.JWT_SECRET ?? '' },
  store: redisStore({ client }),
  sessions: { revocation: 'cached' },
});
await new Promise<void>((resolve) => {
  const stop = auth.onRevocation((signal) => {
    if (signal === 'up') {
      stop();
      resolve();
    }
  });
});

const app = Fastify();
await app.register(authjwtFastify, { auth, jwksPath: false });
app.post<{ Body: { user: string } }>('/login', async (request) => auth.login({ subject: request.body.user }));
app.get('/me', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
  sub: request.auth?.subject,
}));
app.post('/logout', { onRequest: app.authjwt.requireAccess() }, async (request, reply) => {
  if (request.auth) await auth.logout(request.auth);
  return reply.code(204).send();
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
