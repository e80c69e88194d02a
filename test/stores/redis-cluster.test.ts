import { redisStore } from 'authjwt/redis';
import { runSessionStoreContract } from 'authjwt/testing';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RedisCluster, startRedisCluster } from '../helpers/redis-server.js';

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
