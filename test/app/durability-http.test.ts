import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { login } from '../ws/client.js';
import { call, type RunningApp, startInstances } from './start-app.js';

/*
 * Issue 12's settings of the reference app, over real HTTP on a real Redis: SESSIONS_NOT_BEFORE
 * voids the sessions created before it, IDLE_TIMEOUT ends unused sessions, REVOCATION_ACKS refuses a
 * logout no replica acknowledged (503: the caller knows it may be lost).
 */

const secret = 'durability-test-secret-0123456789abcdef';
let redis: RedisServer;
const running: RunningApp[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const app of running) await app.close();
  await redis?.stop();
});

async function instance(env: Record<string, string> = {}): Promise<RunningApp> {
  const [app] = (await startInstances({ JWT_SECRET: secret, REDIS_URL: redis.url, ...env }, 1)) as [
    RunningApp,
  ];
  running.push(app);
  return app;
}

describe('the reference app on Redis: durability settings', () => {
  it('SESSIONS_NOT_BEFORE: an instance started with it refuses the sessions created before, not the new ones', async () => {
    const plain = await instance();
    const old = await login(plain.url, 'alice');
    await sleep(1100);
    const guarded = await instance({ SESSIONS_NOT_BEFORE: String(Math.floor(Date.now() / 1000)) });
    expect((await call(guarded.url, 'GET', '/me', { token: old.accessToken })).body.code).toBe(
      'token_revoked',
    );
    const fresh = await login(guarded.url, 'alice');
    expect((await call(guarded.url, 'GET', '/me', { token: fresh.accessToken })).status).toBe(200);
  });

  it('IDLE_TIMEOUT: a session unused that long ends', async () => {
    const app = await instance({ IDLE_TIMEOUT: '1' });
    const alice = await login(app.url, 'alice');
    expect((await call(app.url, 'GET', '/me', { token: alice.accessToken })).status).toBe(200);
    await sleep(1200);
    expect((await call(app.url, 'GET', '/me', { token: alice.accessToken })).body.code).toBe('token_revoked');
  });

  it('REVOCATION_ACKS=1 without a replica: a logout is refused with 503 store_unavailable, never confirmed', async () => {
    const app = await instance({ REVOCATION_ACKS: '1' });
    const alice = await login(app.url, 'alice');
    const logout = await call(app.url, 'POST', '/auth/logout', { token: alice.accessToken });
    expect(logout.status).toBe(503);
    expect(logout.body.code).toBe('store_unavailable');
    expect(logout.headers.get('retry-after')).toBe('1');
  });
});
