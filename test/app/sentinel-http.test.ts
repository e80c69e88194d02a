import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SentinelGroup, startSentinelGroup } from '../helpers/redis-sentinel.js';
import { waitFor } from '../helpers/redis-server.js';
import { authenticatedSocket, login } from '../ws/client.js';
import { describeOneService } from './one-service.js';
import { call, type RunningApp, startInstances } from './start-app.js';

/* The reference app with REDIS_SENTINELS, on a real Sentinel group (a master, one replica, three Sentinels). */

let group: SentinelGroup;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  group = await startSentinelGroup();
  [a, b] = (await startInstances({
    JWT_SECRET: 'sentinel-http-test-secret-0123456789abcdef',
    REDIS_SENTINELS: group.sentinelList,
    REDIS_SENTINEL_NAME: group.name,
  })) as [RunningApp, RunningApp];
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await group?.stop();
});

describeOneService(
  'two instances on a Sentinel group are one service',
  () => [a, b],
  () => group.flush(),
);

// Last: the failed master stays down.
describe('a failover under two running instances', () => {
  it('master killed mid-traffic: 503 store_unavailable during the switch, never a 500 and never a 200 for a revoked session; afterwards everything works without a restart', async () => {
    await group.flush();
    const kept = await login(a.url, 'alice');
    const revoked = await login(a.url, 'bob');
    expect((await call(b.url, 'POST', '/auth/logout', { token: revoked.accessToken })).status).toBe(204);
    await group.replicated();

    const statuses = { kept: new Set<number>(), revoked: new Set<number>(), login: new Set<number>() };
    const healthz = new Set<number>();
    const codesOf503 = new Set<string>();
    let running = true;
    const traffic = async (app: RunningApp) => {
      while (running) {
        const replies = {
          kept: await call(app.url, 'GET', '/me', { token: kept.accessToken }),
          revoked: await call(app.url, 'GET', '/me', { token: revoked.accessToken }),
          login: await call(app.url, 'POST', '/auth/login', {
            body: { username: 'admin', password: 'admin-pass' },
          }),
        };
        for (const [name, reply] of Object.entries(replies)) {
          statuses[name as keyof typeof statuses].add(reply.status);
          if (reply.status === 503) codesOf503.add(reply.body.code);
        }
        healthz.add((await call(app.url, 'GET', '/healthz')).status);
        await sleep(20);
      }
    };
    const traffics = [traffic(a), traffic(b)];

    await group.failover('kill');
    // Both instances recover by themselves, within a generous bound.
    for (const app of [a, b]) {
      await waitFor(async () => {
        const again = await call(app.url, 'POST', '/auth/login', {
          body: { username: 'alice', password: 'alice-pass' },
        });
        return (
          again.status === 200 &&
          (await call(app.url, 'GET', '/me', { token: kept.accessToken })).status === 200
        );
      }, 30_000);
    }
    running = false;
    await Promise.all(traffics);

    expect(statuses.kept).toContain(503);
    expect([200, 503]).toEqual(expect.arrayContaining([...statuses.kept]));
    expect([200, 503]).toEqual(expect.arrayContaining([...statuses.login]));
    expect([401, 503]).toEqual(expect.arrayContaining([...statuses.revoked]));
    expect([...codesOf503]).toEqual(['store_unavailable']);
    expect(healthz).toContain(503);
    expect([200, 503]).toEqual(expect.arrayContaining([...healthz]));

    // After the switch: one service again, on the new master.
    for (const app of [a, b]) {
      expect((await call(app.url, 'GET', '/healthz')).status).toBe(200);
      expect((await call(app.url, 'GET', '/me', { token: revoked.accessToken })).body.code).toBe(
        'token_revoked',
      );
    }
    const alice = await login(a.url, 'alice');
    const socket = await authenticatedSocket(a.url, alice.accessToken);
    expect((await call(b.url, 'POST', '/auth/logout', { token: alice.accessToken })).status).toBe(204);
    expect((await call(a.url, 'GET', '/me', { token: alice.accessToken })).body.code).toBe('token_revoked');
    const closed = await Promise.race([socket.closed, sleep(5000).then(() => undefined)]);
    expect(closed?.code).toBe(4401);
  }, 60_000);
});
