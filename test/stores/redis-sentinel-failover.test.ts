import { setTimeout as sleep } from 'node:timers/promises';
import { createAuth } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationEvent } from '../../src/stores/port.js';
import { connectIoredisSentinel } from '../helpers/ioredis-sentinel.js';
import { outcome } from '../helpers/outcome.js';
import { connectNodeRedisSentinel, type NodeRedisSentinel } from '../helpers/redis-client.js';
import { type SentinelGroup, startSentinelGroup } from '../helpers/redis-sentinel.js';
import { waitFor } from '../helpers/redis-server.js';

/*
 * Failovers of a real Sentinel group (a master, one replica, three Sentinels) under the store, with
 * each client the store takes for Sentinel. The failed node comes back as a replica after each test.
 */

type Signal = RevocationEvent | 'down' | 'up';

let group: SentinelGroup;
let nodeRedis: NodeRedisSentinel;
let ioredis: Redis;
let ioredisHeld: ReturnType<typeof redisStore>;

beforeAll(async () => {
  group = await startSentinelGroup();
  [nodeRedis, ioredis] = await Promise.all([
    connectNodeRedisSentinel(group),
    // As the README recommends: with failoverDetector, the client's commands leave a frozen master at
    // the switch. Without it they hang there until TCP gives up, so the store answers 503 and its
    // channel, whose heartbeat goes through those commands, stays down (closed, never falsely up).
    connectIoredisSentinel(group),
  ]);
  // Held for the client's whole life, as an application holds its store: the store is what starts
  // an ioredis client again when a failover called its reconnect off (ioredis-sentinel-stall.test.ts),
  // and the node-redis tests' failovers, and any extra one on a loaded machine, happen under it too.
  ioredisHeld = redisStore({ client: ioredis, prefix: 'held:' });
}, 60_000);

afterAll(async () => {
  await ioredisHeld?.close();
  await nodeRedis?.destroy();
  ioredis?.disconnect();
  await group?.stop();
});

afterEach(async () => group.heal(), 60_000);

/**
 * A logout the replica acknowledged. A 503 (not acknowledged: the replica is still syncing, or the
 * Sentinels are moving the master) tells the caller to try again, which is what a client does.
 */
async function confirmedLogout(auth: { logout(token: string): Promise<unknown> }, token: string) {
  await waitFor(async () => (await outcome(auth.logout(token))) === 'ok', 20_000);
}

/**
 * Waits for the channel's first `up` (the previous test's failover and heal may still be settling in
 * the shared client). If it does not come, the failure says where the client stood: that is how an
 * ioredis client ended by a called-off reconnect showed itself ("the ioredis client is end").
 */
async function channelUp(signals: readonly Signal[], client: NodeRedisSentinel | Redis): Promise<void> {
  try {
    await waitFor(() => signals.includes('up'), 15_000);
  } catch (error) {
    const master = await group.master().then(
      (node) => `the Sentinels' master is on port ${node.port}`,
      (reason: unknown) => `no master known (${String(reason)})`,
    );
    const where =
      'stream' in client
        ? `the ioredis client is ${client.status}, connected to port ${client.stream?.remotePort}`
        : 'the node-redis client';
    throw new Error(`${(error as Error).message}: the channel never came up; ${where}; ${master}`);
  }
}

const isEvent = (userId: string) => (signal: Signal) =>
  typeof signal === 'object' && signal.userId === userId;

describe.each([
  ['node-redis createSentinel', 'nr', () => nodeRedis],
  ['ioredis with sentinels', 'io', () => ioredis],
] as const)('a Sentinel failover under the store, %s', (_name, tag, client) => {
  it('master killed: store_unavailable or the truth during the switch, never a pass for a revoked session; afterwards everything works without a restart', async () => {
    const prefix = `${tag}-kill:`;
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: 'sentinel-failover-secret-0123456789abcdef' },
      // Acknowledged revocations: the logout below resolves only once the replica holds it.
      store: redisStore({ client: client(), prefix, revocationAcks: 1 }),
      sessions: { storeTimeout: '1s' },
    });
    const signals: Signal[] = [];
    const unsubscribe = auth.onRevocation((signal) => signals.push(signal));
    try {
      await channelUp(signals, client());
      const kept = await auth.login({ subject: 'alice' });
      const revoked = await auth.login({ subject: 'bob' });
      await auth.authenticate(kept.accessToken);
      await confirmedLogout(auth, revoked.accessToken);

      const seen = { kept: new Set<string>(), revoked: new Set<string>(), login: new Set<string>() };
      let slowestMs = 0;
      const timed = async (call: Promise<unknown>) => {
        const started = performance.now();
        const result = await outcome(call);
        slowestMs = Math.max(slowestMs, performance.now() - started);
        return result;
      };
      let running = true;
      const traffic = (async () => {
        while (running) {
          seen.kept.add(await timed(auth.authenticate(kept.accessToken)));
          seen.revoked.add(await timed(auth.authenticate(revoked.accessToken)));
          seen.login.add(await timed(auth.login({ subject: 'carol' })));
          await sleep(20);
        }
      })();

      await group.failover('kill');
      // Recovers by itself, within a generous bound.
      await waitFor(
        async () =>
          (await outcome(auth.login({ subject: 'dave' }))) === 'ok' &&
          (await outcome(auth.authenticate(kept.accessToken))) === 'ok',
        30_000,
      );
      running = false;
      await traffic;

      // During the switch: 503 or the right answer, nothing else, and never a wait past the deadline.
      expect(seen.kept).toContain('store_unavailable');
      expect(['ok', 'store_unavailable']).toEqual(expect.arrayContaining([...seen.kept]));
      expect(['ok', 'store_unavailable']).toEqual(expect.arrayContaining([...seen.login]));
      expect(['store_unavailable', 'token_revoked']).toEqual(expect.arrayContaining([...seen.revoked]));
      expect(slowestMs).toBeLessThan(5000);

      // After it: the revoked session stays refused, new sessions start.
      expect(await outcome(auth.authenticate(revoked.accessToken))).toBe('token_revoked');
      const fresh = await auth.login({ subject: 'erin' });
      expect((await auth.authenticate(fresh.accessToken)).sessionId).toBeTypeOf('string');
      // The new master has no replica yet: a logout cannot be acknowledged, so it is not confirmed.
      expect(await outcome(auth.logout(fresh.accessToken))).toBe('store_unavailable');
      // With a replica back, revocations are confirmed again.
      await group.heal();
      const later = await auth.login({ subject: 'erin' });
      await confirmedLogout(auth, later.accessToken);
      expect(await outcome(auth.authenticate(later.accessToken))).toBe('token_revoked');

      // The revocation channel went down with the master, and is subscribed on the new one.
      expect(signals.indexOf('down')).toBeGreaterThan(signals.indexOf('up'));
      await waitFor(() => signals.lastIndexOf('up') > signals.lastIndexOf('down'), 30_000);
      await (await group.master()).command('PUBLISH', `${prefix}revocations`, '{"k":"u","u":"zed"}');
      await waitFor(() => signals.some(isEvent('zed')));
    } finally {
      unsubscribe();
      await auth.close();
    }
  }, 60_000);

  it('master frozen (its connections stay open, silent): the revocation channel goes down at the switch, never stays up on the old master, and comes up on the new one', async () => {
    const prefix = `${tag}-freeze:`;
    const store = redisStore({ client: client(), prefix });
    const signals: Signal[] = [];
    const unsubscribe = store.subscribe((signal) => signals.push(signal));
    try {
      await channelUp(signals, client());
      await group.failover('freeze');
      await waitFor(() => signals.includes('down'), 20_000);
      await waitFor(() => signals.lastIndexOf('up') > signals.indexOf('down'), 30_000);
      await (await group.master()).command('PUBLISH', `${prefix}revocations`, '{"k":"u","u":"zed"}');
      await waitFor(() => signals.some(isEvent('zed')));
    } finally {
      unsubscribe();
      await store.close();
    }
  }, 60_000);
});
