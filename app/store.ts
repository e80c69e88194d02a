import { memoryStore, type SessionStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import type { FastifyBaseLogger } from 'fastify';
import { createClient } from 'redis';
import type { RedisScripts } from './users/redis-directory.js';

/** The session store; with Redis also its client, which the user directory shares. */
export type AppStore =
  | { kind: 'memory'; store: SessionStore; close(): Promise<void> }
  | { kind: 'redis'; store: SessionStore; client: RedisScripts; close(): Promise<void> };

/**
 * The embedded memory store, or Redis when `REDIS_URL` is set. Redis is not awaited at start: the app
 * serves (and answers 503 where the store is needed) until Redis is reachable, then recovers by itself.
 */
export function createAppStore(redisUrl: string | undefined, log: FastifyBaseLogger): AppStore {
  if (redisUrl === undefined) {
    const store = memoryStore();
    return { store, kind: 'memory', close: () => store.close() };
  }
  const client = createClient({
    url: redisUrl,
    // Fail fast while disconnected instead of queueing commands: the library's deadline answers 503.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 1000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });
  let lastError = '';
  client.on('error', (error: Error) => {
    // Log each distinct failure once, not once per reconnect attempt.
    if (error.message !== lastError) log.warn({ err: error.message }, 'redis error');
    lastError = error.message;
  });
  client.on('ready', () => {
    lastError = '';
    log.info('redis ready');
  });
  client.connect().catch((error: Error) => log.warn({ err: error.message }, 'redis not reachable yet'));
  const store = redisStore({ client });
  return {
    store,
    kind: 'redis',
    client,
    async close() {
      await store.close();
      client.destroy();
    },
  };
}
