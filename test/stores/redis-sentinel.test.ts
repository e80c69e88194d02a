import { redisStore } from 'authjwt/redis';
import { runSessionStoreContract } from 'authjwt/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectIoredisSentinel } from '../helpers/ioredis-sentinel.js';
import { connectNodeRedisSentinel, type NodeRedisSentinel } from '../helpers/redis-client.js';
import { type SentinelGroup, startSentinelGroup } from '../helpers/redis-sentinel.js';

let group: SentinelGroup;
let nodeRedis: NodeRedisSentinel;
let ioredis: Redis;
let stores = 0;

beforeAll(async () => {
  group = await startSentinelGroup();
  [nodeRedis, ioredis] = await Promise.all([connectNodeRedisSentinel(group), connectIoredisSentinel(group)]);
}, 60_000);

afterAll(async () => {
  await nodeRedis?.destroy();
  ioredis?.disconnect();
  await group?.stop();
});

// A prefix per store: every test starts empty without flushing what a neighbour still uses.
runSessionStoreContract(
  'Redis Sentinel (master, replica, 3 Sentinels), node-redis createSentinel',
  async () => {
    const store = redisStore({ client: nodeRedis, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);

runSessionStoreContract(
  'Redis Sentinel (master, replica, 3 Sentinels), ioredis with sentinels',
  async () => {
    const store = redisStore({ client: ioredis, prefix: `t${++stores}:` });
    return { store, cleanup: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);
