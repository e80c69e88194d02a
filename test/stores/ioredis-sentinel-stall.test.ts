import { setTimeout as sleep } from 'node:timers/promises';
import { createAuth } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectIoredisSentinel } from '../helpers/ioredis-sentinel.js';
import { outcome } from '../helpers/outcome.js';
import { type SentinelGroup, startSentinelGroup } from '../helpers/redis-sentinel.js';
import { waitFor } from '../helpers/redis-server.js';

/*
 * An ioredis client of Sentinels asks one of them for the master on each reconnect. When that Sentinel
 * stalls through a failover, the client's failover detector hears the switch from the others while
 * the question is open, calls the attempt off, and ioredis ends the client for good: without the store
 * starting it again, every call after the failover was a 503 until a restart. Its own group, since a
 * frozen Sentinel leaves the group's view unsettled for the tests that follow.
 */

let group: SentinelGroup;

beforeAll(async () => {
  group = await startSentinelGroup();
}, 60_000);

afterAll(async () => group?.stop());

const storeOn = (client: Redis, prefix: string) =>
  createAuth({
    signingKey: { alg: 'HS256', key: 'ioredis-sentinel-stall-secret-0123456789' },
    store: redisStore({ client, prefix }),
    sessions: { storeTimeout: '1s' },
  });

it('a client the application disconnects, or quits, stays ended', async () => {
  // Disconnected while it waits on a stalled Sentinel: ioredis calls that attempt off too.
  const waiting = new Redis({ sentinels: [...group.sentinels], name: group.name, lazyConnect: true });
  waiting.on('error', () => {});
  const quitting = await connectIoredisSentinel(group);
  const [first, second] = [storeOn(waiting, 'stall-a:'), storeOn(quitting, 'stall-b:')];
  const thaw = group.freezeSentinel(0);
  try {
    waiting.connect().catch(() => {});
    await waitFor(() => waiting.status === 'connecting');
    waiting.disconnect();
    await quitting.quit();
  } finally {
    thaw();
  }
  await waitFor(() => waiting.status === 'end' && quitting.status === 'end');
  await sleep(1000); // more than a revival takes (the next test: well under a second)
  expect([waiting.status, quitting.status]).toEqual(['end', 'end']);
  await Promise.all([first.close(), second.close()]);
}, 30_000);

it('a Sentinel stalled through a failover: the client whose reconnect was called off is started again, and the store recovers', async () => {
  const client = await connectIoredisSentinel(group); // asks the first Sentinel first
  const statuses: string[] = [];
  for (const status of ['close', 'connecting', 'end', 'ready'])
    client.on(status, () => statuses.push(status));
  const listeners = client.listenerCount('end');
  const auth = storeOn(client, 'stall-c:');
  try {
    expect(await outcome(auth.login({ subject: 'alice' }))).toBe('ok');
    const thaw = group.freezeSentinel(0);
    try {
      await group.failover('kill');
      // The race is on: the client is still waiting for the frozen Sentinel's answer.
      expect(client.status).toBe('connecting');
      await sleep(300); // the other Sentinels' +switch-master reaches its failover detector
    } finally {
      thaw();
    }
    await waitFor(async () => (await outcome(auth.login({ subject: 'bob' }))) === 'ok', 20_000);
    // It did end (the attempt was called off), and came back from there.
    expect(statuses.slice(statuses.indexOf('close'))).toEqual(
      expect.arrayContaining(['close', 'connecting', 'end', 'ready']),
    );
    expect(statuses.lastIndexOf('ready')).toBeGreaterThan(statuses.indexOf('end'));
    expect(client.status).toBe('ready');
  } finally {
    await auth.close();
    client.disconnect();
  }
  expect(client.listenerCount('end')).toBe(listeners); // the closed store watches it no more
}, 60_000);
