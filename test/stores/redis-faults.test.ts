import { isAuthError, type SessionStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationEvent } from '../../src/stores/port.js';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';
import { sessionRecord } from '../helpers/session-record.js';

type Signal = RevocationEvent | 'down' | 'up';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(() => {
  expect(unhandled).toEqual([]);
});

/** A client configured as redisStore's documentation recommends: fail fast while disconnected. */
const clients = {
  'node-redis': (port: number) => {
    const client = createClient({
      url: `redis://127.0.0.1:${port}`,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 1000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
      },
    });
    client.on('error', () => {});
    client.connect().catch(() => {});
    return { client, close: () => client.destroy() };
  },
  /** The defaults: commands wait in the offline queue for the connection to come back. */
  'node-redis, queueing': (port: number) => {
    const client = createClient({ url: `redis://127.0.0.1:${port}` });
    client.on('error', () => {});
    client.connect().catch(() => {});
    return { client, close: () => client.destroy() };
  },
  ioredis: (port: number) => {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 500),
    });
    client.on('error', () => {});
    return { client, close: () => client.disconnect() };
  },
  'ioredis, queueing': (port: number) => {
    const client = new Redis({ port, host: '127.0.0.1' });
    client.on('error', () => {});
    return { client, close: () => client.disconnect() };
  },
};

const recommended = { 'node-redis': clients['node-redis'], ioredis: clients.ioredis };
const queueing = { 'node-redis': clients['node-redis, queueing'], ioredis: clients['ioredis, queueing'] };

async function rejectsQuickly(call: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAuthError(error) && error.code === 'store_unavailable').toBe(true);
  return Date.now() - started;
}

async function answers(store: SessionStore): Promise<boolean> {
  try {
    await store.ping();
    return true;
  } catch {
    return false;
  }
}

describe.each(Object.entries(recommended))('Redis faults with %s', (name, makeClient) => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('rejects within moments while Redis is down, then works again after a restart, with no crash', async () => {
    const { client, close } = makeClient(server.port);
    const store = redisStore({ client, prefix: 'fault:' });
    const signals: Signal[] = [];
    const stop = store.subscribe((s) => signals.push(s));
    try {
      await waitFor(() => signals.includes('up'));
      const before = sessionRecord('alice');
      await store.createSession(before, { maxSessions: 0, now: before.createdAt });

      await server.stop();
      await waitFor(() => signals.includes('down'));
      for (const call of [
        () => store.getSessionState('alice', before.id, Date.now()),
        () => store.createSession(sessionRecord('alice'), { maxSessions: 1, now: Date.now() }),
        () => store.revokeSession('alice', before.id),
        () => store.ping(),
      ]) {
        expect(await rejectsQuickly(call)).toBeLessThan(3000);
      }

      await server.start();
      await waitFor(() => answers(store), 10_000);
      await waitFor(() => signals.lastIndexOf('up') > signals.indexOf('down'), 10_000);
      expect(signals.filter((s) => s === 'up' || s === 'down').slice(0, 3)).toEqual(['up', 'down', 'up']);
      // The restarted Redis is empty: the allow list means the old session is gone, not revived.
      expect((await store.getSessionState('alice', before.id, Date.now())).session).toBe(null);
      const after = sessionRecord('alice');
      await store.createSession(after, { maxSessions: 0, now: after.createdAt });
      await store.revokeSession('alice', after.id);
      await waitFor(() => signals.some((s) => typeof s === 'object' && s.kind === 'session'));
    } finally {
      stop();
      await store.close();
      close();
    }
  });

  it('works once Redis starts after the store, and hears up only then', async () => {
    await server.stop();
    const { client, close } = makeClient(server.port);
    const store = redisStore({ client, prefix: 'late:' });
    const signals: Signal[] = [];
    const stop = store.subscribe((s) => signals.push(s));
    try {
      expect(await rejectsQuickly(() => store.listSessions('alice', Date.now(), 1000))).toBeLessThan(3000);
      expect(signals).toEqual([]);
      await server.start();
      await waitFor(() => answers(store), 10_000);
      await waitFor(() => signals.includes('up'), 10_000);
      await store.setUserActive('alice', false, Date.now());
      await waitFor(() => signals.some((s) => typeof s === 'object' && s.kind === 'user'));
    } finally {
      stop();
      await store.close();
      close();
    }
  });

  it('cuts off a client that queues commands at commandTimeout', async () => {
    const { client, close } = queueing[name as keyof typeof queueing](server.port);
    const store = redisStore({ client, prefix: 'queue:', commandTimeout: 1 });
    try {
      await waitFor(() => answers(store));
      await server.stop();
      const elapsed = await rejectsQuickly(() => store.getCachedUser('alice'));
      expect(elapsed).toBeLessThan(2000);
    } finally {
      await server.start();
      await store.close();
      close();
    }
  });
});

describe('close', () => {
  it("closes the store's own subscriber connection and never the caller's client", async () => {
    const server = await startRedisServer();
    const client = createClient({ url: server.url, disableOfflineQueue: true });
    client.on('error', () => {});
    await client.connect();
    try {
      const store = redisStore({ client });
      const signals: Signal[] = [];
      store.subscribe((s) => signals.push(s));
      await waitFor(() => signals.includes('up'));
      // CLIENT LIST counts its own connection too.
      const clientCount = async () => (await server.command('CLIENT', 'LIST')).trim().split('\n').length - 1;
      expect(await clientCount()).toBe(2);
      await store.close();
      await waitFor(async () => (await clientCount()) === 1);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.destroy();
      await server.stop();
    }
  });
});
