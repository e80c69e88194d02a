import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreezingProxy, startFreezingProxy } from '../helpers/freezing-proxy.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { authenticatedSocket, login } from '../ws/client.js';
import { call, type RunningApp, startInstances } from './start-app.js';

/*
 * Issue 12, points 1 and 2, over HTTP with real app instances on one real Redis (cached revocation):
 * an instance whose subscriber connection silently stops receiving (a frozen proxy: no reset, no
 * close) must stop trusting its cache within 3 s; and a FLUSHALL must be noticed by every instance
 * within 2 s, though no connection drops and no event is published.
 */

const secret = 'channel-proof-test-secret-0123456789abcdef';
let redis: RedisServer;
let proxy: FreezingProxy;
/** Talks to Redis through the proxy. */
let behindProxy: RunningApp;
let direct: RunningApp;

beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startFreezingProxy(redis.port);
  [behindProxy] = (await startInstances({ JWT_SECRET: secret, REDIS_URL: proxy.url }, 1)) as [RunningApp];
  [direct] = (await startInstances({ JWT_SECRET: secret, REDIS_URL: redis.url }, 1)) as [RunningApp];
});
afterAll(async () => {
  await behindProxy?.close();
  await direct?.close();
  await proxy?.close();
  await redis?.stop();
});

/** Polls `GET /me` until it is refused; the milliseconds from `since`, and the refusal's code. */
async function refusedAfter(base: string, token: string, since: number, limitMs = 10_000) {
  for (;;) {
    const reply = await call(base, 'GET', '/me', { token });
    if (reply.status !== 200) return { ms: performance.now() - since, code: reply.body.code as string };
    if (performance.now() - since > limitMs) return { ms: Number.POSITIVE_INFINITY, code: 'still 200' };
    await sleep(50);
  }
}

/** `GET /me` answered from each instance's cache. */
async function cachedOn(base: string, token: string): Promise<void> {
  for (let n = 0; n < 3; n += 1) expect((await call(base, 'GET', '/me', { token })).status).toBe(200);
}

describe('a subscriber connection that silently stops receiving', () => {
  it('stops the cache within 3 s: the revoked token is refused, its socket closed within 4 s', async () => {
    const alice = await login(direct.url, 'alice');
    await cachedOn(behindProxy.url, alice.accessToken);
    const socket = await authenticatedSocket(behindProxy.url, alice.accessToken);
    proxy.freezeSubscribers();
    try {
      const loggedOutAt = performance.now();
      expect((await call(direct.url, 'POST', '/auth/logout', { token: alice.accessToken })).status).toBe(204);
      const refused = await refusedAfter(behindProxy.url, alice.accessToken, loggedOutAt);
      expect(refused.code).toBe('token_revoked');
      expect(refused.ms).toBeLessThan(3000);
      const closed = await socket.closed;
      expect(closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
      expect(closed.at - loggedOutAt).toBeLessThan(4000);
      // While the channel stays silent, the instance still serves, from the store: a new session works.
      const bob = await login(direct.url, 'bob');
      expect((await call(behindProxy.url, 'GET', '/me', { token: bob.accessToken })).status).toBe(200);
    } finally {
      proxy.thaw();
    }
    // Proven again (or reopened), the channel carries revocations again.
    const carol = await login(behindProxy.url, 'admin');
    await sleep(1500);
    await cachedOn(behindProxy.url, carol.accessToken);
    const loggedOutAt = performance.now();
    expect((await call(direct.url, 'POST', '/auth/logout', { token: carol.accessToken })).status).toBe(204);
    expect((await refusedAfter(behindProxy.url, carol.accessToken, loggedOutAt)).ms).toBeLessThan(1000);
  });
});

describe('the store losing its data', () => {
  it('is noticed by every instance within 2 s of a FLUSHALL: the flushed sessions are refused', async () => {
    const alice = await login(direct.url, 'alice');
    const bob = await login(behindProxy.url, 'bob');
    for (const base of [direct.url, behindProxy.url]) {
      await cachedOn(base, alice.accessToken);
      await cachedOn(base, bob.accessToken);
    }
    const flushedAt = performance.now();
    await redis.flush();
    for (const [base, token] of [
      [direct.url, alice.accessToken],
      [behindProxy.url, alice.accessToken],
      [direct.url, bob.accessToken],
      [behindProxy.url, bob.accessToken],
    ] as const) {
      const refused = await refusedAfter(base, token, flushedAt);
      expect(refused.code).toBe('token_revoked');
      expect(refused.ms).toBeLessThan(2000);
    }
  });
});
