import { redisStore } from 'authjwt/redis';
import { runSessionStoreContract } from 'authjwt/testing';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

let server: RedisServer;
let nodeRedis: ReturnType<typeof createClient>;
// RESP3, as client-side caching needs: replies change shape (maps, nulls), script replies must not.
const resp3Client = (url: string) => createClient({ url, disableOfflineQueue: true, RESP: 3 });
let nodeRedisResp3: ReturnType<typeof resp3Client>;
let ioredis: Redis;
let stores = 0;

beforeAll(async () => {
  server = await startRedisServer();
  nodeRedis = createClient({ url: server.url, disableOfflineQueue: true });
  nodeRedis.on('error', () => {});
  await nodeRedis.connect();
  nodeRedisResp3 = resp3Client(server.url);
  nodeRedisResp3.on('error', () => {});
  await nodeRedisResp3.connect();
  ioredis = new Redis({ port: server.port, host: '127.0.0.1', enableOfflineQueue: false, lazyConnect: true });
  ioredis.on('error', () => {});
  await ioredis.connect();
});

afterAll(async () => {
  nodeRedis?.destroy();
  nodeRedisResp3?.destroy();
  ioredis?.disconnect();
  await server?.stop();
});

// A prefix per store: every test starts empty without flushing what a neighbour still uses.
runSessionStoreContract(
  'Redis standalone, node-redis',
  async () => {
    const store = redisStore({ client: nodeRedis, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);

runSessionStoreContract(
  'Redis standalone, node-redis with RESP3',
  async () => {
    const store = redisStore({ client: nodeRedisResp3, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);

runSessionStoreContract(
  'Redis standalone, ioredis',
  async () => {
    const store = redisStore({ client: ioredis, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);
