import { redisStore } from 'authjwt/redis';
import { runSessionStoreContract } from 'authjwt/testing';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RevocationEvent } from '../../src/stores/port.js';
import { type RedisCluster, type RedisServer, startRedisCluster, waitFor } from '../helpers/redis-server.js';

type Signal = RevocationEvent | 'down' | 'up';

let cluster: RedisCluster;
let nodeRedis: ReturnType<typeof createCluster>;
let ioredis: Cluster;
let stores = 0;

beforeAll(async () => {
  cluster = await startRedisCluster();
  nodeRedis = createCluster({
    rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })),
    defaults: { disableOfflineQueue: true },
  });
  nodeRedis.on('error', () => {});
  await nodeRedis.connect();
  ioredis = new Cluster([...cluster.nodes], { enableOfflineQueue: false, lazyConnect: true });
  ioredis.on('error', () => {});
  await ioredis.connect();
}, 60_000);

afterAll(async () => {
  nodeRedis?.destroy();
  ioredis?.disconnect();
  await cluster?.stop();
});

// A prefix per store: every test starts empty without flushing what a neighbour still uses.
runSessionStoreContract(
  'Redis Cluster (3 masters), node-redis',
  async () => {
    const store = redisStore({ client: nodeRedis, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);

runSessionStoreContract(
  'Redis Cluster (3 masters), ioredis',
  async () => {
    const store = redisStore({ client: ioredis, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);

// Last in this file: it kills a node (and restarts it before the next test).
describe.each([
  ['node-redis', () => nodeRedis],
  ['ioredis', () => ioredis],
] as const)('the revocation channel on a Cluster with %s', (_name, client) => {
  it('reports down when its node dies, and up once proven again (subscribed somewhere, its heartbeat heard)', async () => {
    const store = redisStore({ client: client(), prefix: 'failover:' });
    const signals: Signal[] = [];
    const stop = store.subscribe((s) => signals.push(s));
    try {
      await waitFor(() => signals.includes('up'));
      const subscribers = async (server: RedisServer) =>
        Number((await server.command('PUBSUB', 'NUMSUB', 'failover:revocations')).split('\n')[1]);
      const counts = await Promise.all(cluster.servers.map(subscribers));
      const holder = cluster.servers[counts.indexOf(1)];
      if (holder === undefined) throw new Error(`no node holds the subscription: ${counts}`);
      await holder.stop();
      try {
        await waitFor(() => signals.includes('down'));
      } finally {
        await holder.start();
        await waitFor(async () => {
          const infos = await Promise.all(cluster.servers.map((s) => s.command('CLUSTER', 'INFO')));
          return infos.every((info) => info.includes('cluster_state:ok'));
        }, 20_000);
      }
      await waitFor(() => signals.lastIndexOf('up') > signals.lastIndexOf('down'), 20_000);
      // Subscribed for real: a message published on any node reaches it. Pub/sub is at most once and
      // a node just back may not yet forward over the cluster bus, so each node publishes until heard.
      const heard = (port: number) => signals.some((s) => typeof s === 'object' && s.userId === `zed${port}`);
      for (const server of cluster.servers) {
        await waitFor(async () => {
          await server.command('PUBLISH', 'failover:revocations', `{"k":"u","u":"zed${server.port}"}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          return heard(server.port);
        }, 10_000);
      }
    } finally {
      stop();
      await store.close();
    }
  }, 40_000);
});
