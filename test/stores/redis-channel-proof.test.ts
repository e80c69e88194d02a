import { redisStore } from 'authjwt/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationEvent } from '../../src/stores/port.js';
import { type FreezingProxy, startFreezingProxy } from '../helpers/freezing-proxy.js';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';

/*
 * The revocation channel's proof (src/stores/redis/channel-proof.ts), with each client library:
 * `down` within 2.5 s of the subscriber going silent (no reset: a frozen proxy), `up` again once it
 * hears its heartbeat; `down` then `up` when the store loses its data (FLUSHALL), with no event.
 */

type Signal = RevocationEvent | 'down' | 'up';
let redis: RedisServer;
let proxy: FreezingProxy;

beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startFreezingProxy(redis.port);
});
afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

const clients = {
  'node-redis': (port: number) => {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, disableOfflineQueue: true });
    client.on('error', () => {});
    void client.connect().catch(() => {});
    return { client, close: () => client.destroy() };
  },
  ioredis: (port: number) => {
    const client = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    return { client, close: () => client.disconnect() };
  },
};

let prefixes = 0;

describe.each(Object.entries(clients))('the revocation channel proves itself (%s)', (_name, connect) => {
  async function listening(port: number) {
    const { client, close } = connect(port);
    const store = redisStore({ client, prefix: `proof${++prefixes}:` });
    const signals: Signal[] = [];
    const stop = store.subscribe((signal) => signals.push(signal));
    await waitFor(() => signals.includes('up'));
    return {
      store,
      signals,
      async close() {
        stop();
        await store.close();
        close();
      },
    };
  }

  it('goes down within 2.5 s of the subscriber going silent, and up when it hears again', async () => {
    const channel = await listening(proxy.port);
    try {
      proxy.freezeSubscribers();
      const frozenAt = performance.now();
      await waitFor(() => channel.signals.at(-1) === 'down', 5000);
      expect(performance.now() - frozenAt).toBeLessThan(2600);
      proxy.thaw();
      await waitFor(() => channel.signals.at(-1) === 'up', 15_000);
    } finally {
      proxy.thaw();
      await channel.close();
    }
  });

  it('says down, then up, within 2 s of a FLUSHALL, though no connection dropped', async () => {
    const channel = await listening(redis.port);
    try {
      // The first heartbeats have seen the marker.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const heard = channel.signals.length;
      const flushedAt = performance.now();
      await redis.flush();
      await waitFor(() => channel.signals.slice(heard).includes('down'), 5000);
      expect(performance.now() - flushedAt).toBeLessThan(2000);
      await waitFor(() => channel.signals.at(-1) === 'up', 5000);
    } finally {
      await channel.close();
    }
  });
});
