import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { call, type Reply, type RunningApp, startApp, startInstances } from './start-app.js';

const secret = 'login-throttle-test-secret-0123456789abcdef';

/** The three routes that take a password, with the status each answers a right one with. */
const passwordRoutes = [
  ['/auth/login', 200],
  ['/auth/fresh', 200],
  ['/auth/cookie/login', 204],
] as const;

const attempt = (base: string, path: string, username: string, password: string) =>
  call(base, 'POST', path, { body: { username, password } });

function expectTooManyAttempts(reply: Reply, window: number) {
  expect(reply.status).toBe(429);
  expect(reply.body).toEqual({
    statusCode: 429,
    code: 'too_many_attempts',
    error: 'Too Many Requests',
    message: expect.any(String),
  });
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(window);
  return retryAfter;
}

describe.each(passwordRoutes)('POST %s is throttled per username and client IP', (path, succeeded) => {
  const running: RunningApp[] = [];
  async function start(env: Record<string, string>) {
    const app = await startApp({ JWT_SECRET: secret, ...env });
    running.push(app);
    return app.url;
  }
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  it('answers 429 too_many_attempts with Retry-After after LOGIN_MAX_FAILURES wrong passwords, even for the right one', async () => {
    const base = await start({ LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW: '60' });
    for (let n = 0; n < 3; n += 1) {
      expect((await attempt(base, path, 'alice', 'wrong')).body.code).toBe('invalid_credentials');
    }
    expectTooManyAttempts(await attempt(base, path, 'alice', 'wrong'), 60);
    expectTooManyAttempts(await attempt(base, path, 'alice', 'alice-pass'), 60);
  });

  it("lets another username in from the same IP, until the IP's own limit of ten times as many failures", async () => {
    const base = await start({ LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW: '60' });
    await attempt(base, path, 'alice', 'wrong');
    await attempt(base, path, 'alice', 'wrong');
    expectTooManyAttempts(await attempt(base, path, 'alice', 'alice-pass'), 60);
    expect((await attempt(base, path, 'bob', 'bob-pass')).status).toBe(succeeded);
    // 2 failures so far; 18 more, 2 per unknown username (each under its own limit), reach the IP's 20.
    for (let n = 0; n < 9; n += 1) {
      for (let k = 0; k < 2; k += 1) {
        expect((await attempt(base, path, `nobody-${n}`, 'wrong')).body.code).toBe('invalid_credentials');
      }
    }
    expectTooManyAttempts(await attempt(base, path, 'bob', 'bob-pass'), 60);
    expectTooManyAttempts(await attempt(base, path, 'admin', 'admin-pass'), 60);
  });

  it('forgets the username+IP failures after a success: LOGIN_MAX_FAILURES more, and no more', async () => {
    const base = await start({ LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW: '60' });
    await attempt(base, path, 'alice', 'wrong');
    await attempt(base, path, 'alice', 'wrong');
    expect((await attempt(base, path, 'alice', 'alice-pass')).status).toBe(succeeded);
    for (let n = 0; n < 3; n += 1) {
      expect((await attempt(base, path, 'alice', 'wrong')).body.code).toBe('invalid_credentials');
    }
    expectTooManyAttempts(await attempt(base, path, 'alice', 'alice-pass'), 60);
  });

  it('lets the username in again once LOGIN_WINDOW has passed', async () => {
    const base = await start({ LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW: '2' });
    await attempt(base, path, 'alice', 'wrong');
    await attempt(base, path, 'alice', 'wrong');
    const retryAfter = expectTooManyAttempts(await attempt(base, path, 'alice', 'alice-pass'), 2);
    await sleep(retryAfter * 1000 + 100);
    expect((await attempt(base, path, 'alice', 'alice-pass')).status).toBe(succeeded);
  });
});

describe('login throttling across two instances on one Redis', () => {
  let redis: RedisServer;
  let one: RunningApp;
  let two: RunningApp;

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { JWT_SECRET: secret, REDIS_URL: redis.url, LOGIN_MAX_FAILURES: '4', LOGIN_WINDOW: '60' };
    [one, two] = (await startInstances(env)) as [RunningApp, RunningApp];
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it('counts the failures made on either instance together', async () => {
    for (const base of [one.url, two.url, one.url, two.url]) {
      expect((await attempt(base, '/auth/login', 'alice', 'wrong')).body.code).toBe('invalid_credentials');
    }
    expectTooManyAttempts(await attempt(one.url, '/auth/login', 'alice', 'alice-pass'), 60);
    expectTooManyAttempts(await attempt(two.url, '/auth/cookie/login', 'alice', 'alice-pass'), 60);
    expect((await attempt(two.url, '/auth/login', 'bob', 'bob-pass')).status).toBe(200);
  });
});
