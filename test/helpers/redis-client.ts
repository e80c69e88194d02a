import { createClient } from 'redis';

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
