import { createClient, createSentinel } from 'redis';
import type { SentinelGroup } from './redis-sentinel.js';

function newClient(url: string) {
  return createClient({ url, disableOfflineQueue: true });
}

export type NodeRedisClient = ReturnType<typeof newClient>;

/**
 * A connected node-redis client as the store wants one (failing fast while disconnected), whose
 * errors are ignored: tests watch what the store answers instead.
 */
export async function connectNodeRedis(url: string): Promise<NodeRedisClient> {
  const client = newClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

function newSentinel(group: SentinelGroup) {
  return createSentinel({
    name: group.name,
    sentinelRootNodes: [...group.sentinels],
    nodeClientOptions: {
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 1000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
      },
    },
    sentinelClientOptions: { socket: { connectTimeout: 1000 } },
  });
}

export type NodeRedisSentinel = ReturnType<typeof newSentinel>;

/** A connected node-redis Sentinel client (`createSentinel`) of the group, configured like the app's. */
export async function connectNodeRedisSentinel(group: SentinelGroup): Promise<NodeRedisSentinel> {
  const sentinel = newSentinel(group);
  sentinel.on('error', () => {});
  await sentinel.connect();
  return sentinel;
}
