/**
 * One app process of the revocation-latency benchmark: the library on Fastify with a Redis store in
 * cached mode, on one redis-server (REDIS_URL) or a Cluster (REDIS_CLUSTER_NODES). Routes without password hashing, so the loop measures revocation, not scrypt.
 */
import { createAuth } from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import { redisStore } from 'authjwt/redis';
import Fastify from 'fastify';
import { createClient, createCluster } from 'redis';

// REDIS_CLUSTER_NODES (host:port,...) for a Cluster, else REDIS_URL.
const clusterNodes = process.env.REDIS_CLUSTER_NODES?.split(',');
const client =
  clusterNodes === undefined
    ? createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true })
    : createCluster({
        rootNodes: clusterNodes.map((node) => ({ url: `redis://${node}` })),
        defaults: { disableOfflineQueue: true },
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

// When each session's revocation reached this process (wall-clock ms, sub-millisecond), for the
// harness to compare across processes: what the cache applies at once, without the noise of polling.
const heardAt = new Map<string, number>();
auth.onRevocation((signal) => {
  if (typeof signal !== 'object' || signal.kind !== 'session') return;
  if (heardAt.size >= 10_000) heardAt.clear();
  heardAt.set(signal.sessionId, performance.timeOrigin + performance.now());
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
app.get<{ Params: { sid: string } }>('/heard/:sid', async (request) => ({
  at: heardAt.get(request.params.sid) ?? null,
}));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
