import { memoryStore, type SessionStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import type { AppLog } from './logging.js';
import { connectRedis } from './redis-client.js';
import type { RedisConfig } from './redis-config.js';
import type { RedisScripts } from './users/redis-directory.js';

/** The session store; with Redis also its client, which the user directory shares. */
export type AppStore =
  | { kind: 'memory'; store: SessionStore; close(): Promise<void> }
  | { kind: 'redis'; store: SessionStore; client: RedisScripts; close(): Promise<void> };

/**
 * The embedded memory store, or the Redis store on the Redis the configuration names (one server, a
 * Cluster, or a Sentinel group's master). Redis is not awaited at start: the app serves (and answers
 * 503 where the store is needed) until Redis is reachable, then recovers by itself.
 */
export function createAppStore(
  redis: RedisConfig | undefined,
  log: AppLog,
  options: { revocationAcks: number },
): AppStore {
  if (redis === undefined) {
    const store = memoryStore();
    return { store, kind: 'memory', close: () => store.close() };
  }
  const connection = connectRedis(redis, log);
  const store = redisStore({ client: connection.client, revocationAcks: options.revocationAcks });
  return {
    store,
    kind: 'redis',
    client: connection.scripts,
    async close() {
      await store.close();
      await connection.close();
    },
  };
}
