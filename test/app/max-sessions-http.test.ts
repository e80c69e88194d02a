import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { call, type RunningApp, startInstances } from './start-app.js';

let redis: RedisServer;
const running: RunningApp[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  return () => redis.stop();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
  await redis.flush();
});

/** Two instances on the one Redis, with `env` on top of the test's settings. */
async function twoInstances(env: Record<string, string> = {}) {
  const settings = { JWT_SECRET: 'max-sessions-test-secret-0123456789abcdef', REDIS_URL: redis.url, ...env };
  const apps = await startInstances(settings);
  running.push(...apps);
  return apps.map((app) => app.url) as [string, string];
}

async function login(base: string) {
  const reply = await call(base, 'POST', '/auth/login', {
    body: { username: 'alice', password: 'alice-pass' },
  });
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

describe('MAX_SESSIONS over two instances', () => {
  it('defaults to 100: the 101st login, on either instance, ends the oldest session', async () => {
    const [a, b] = await twoInstances();
    const first = await login(a);
    const second = await login(b);
    // 98 more, four at a time (the default hashing concurrency), alternating instances.
    for (let n = 0; n < 98; n += 4) {
      await Promise.all(Array.from({ length: Math.min(4, 98 - n) }, (_, k) => login(k % 2 === 0 ? a : b)));
    }
    expect((await call(b, 'GET', '/me', { token: first })).status).toBe(200);
    const newest = await login(b);
    expect((await call(a, 'GET', '/me', { token: first })).body.code).toBe('token_revoked');
    expect((await call(b, 'GET', '/me', { token: second })).status).toBe(200);
    expect((await call(a, 'GET', '/sessions', { token: newest })).body).toHaveLength(100);
  }, 60_000);

  it('MAX_SESSIONS=1: a login on B ends the session made on A', async () => {
    const [a, b] = await twoInstances({ MAX_SESSIONS: '1' });
    const first = await login(a);
    const second = await login(b);
    expect((await call(a, 'GET', '/me', { token: first })).body.code).toBe('token_revoked');
    expect((await call(a, 'GET', '/me', { token: second })).status).toBe(200);
  });
});
