import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';
import { call, type RunningApp, startApp, startInstances } from './start-app.js';

const secret = 'redis-http-test-secret-0123456789abcdef';
let redis: RedisServer;
let one: RunningApp;
let two: RunningApp;

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { JWT_SECRET: secret, REDIS_URL: `${redis.url}/0`, REFRESH_REUSE_GRACE: '0' };
  [one, two] = (await startInstances(env)) as [RunningApp, RunningApp];
});
afterAll(async () => {
  await one?.close();
  await two?.close();
  await redis?.stop();
});

async function login(base: string, username: string) {
  const reply = await call(base, 'POST', '/auth/login', { body: { username, password: `${username}-pass` } });
  expect(reply.status).toBe(200);
  return reply.body as { access_token: string; refresh_token: string };
}

describe('two app instances on one Redis are one service', () => {
  it('reports the Redis store in /healthz', async () => {
    expect((await call(one.url, 'GET', '/healthz')).body).toEqual({
      status: 'ok',
      store: 'redis',
      framework: one.framework,
    });
  });

  it('a session made on one is honoured on the other, and a logout on either ends it on both', async () => {
    const tokens = await login(one.url, 'alice');
    expect((await call(two.url, 'GET', '/me', { token: tokens.access_token })).status).toBe(200);
    expect((await call(two.url, 'POST', '/auth/logout', { token: tokens.access_token })).status).toBe(204);
    for (const base of [one.url, two.url]) {
      expect((await call(base, 'GET', '/me', { token: tokens.access_token })).body.code).toBe(
        'token_revoked',
      );
    }
  });

  it('logout-all on one instance ends the sessions made on both', async () => {
    const a = await login(one.url, 'bob');
    const b = await login(two.url, 'bob');
    expect((await call(one.url, 'POST', '/auth/logout-all', { token: a.access_token })).status).toBe(204);
    expect((await call(two.url, 'GET', '/me', { token: b.access_token })).body.code).toBe('token_revoked');
    expect((await call(one.url, 'GET', '/me', { token: b.access_token })).body.code).toBe('token_revoked');
  });

  it('deactivation on one instance refuses the user on the other (user_inactive) and its logins', async () => {
    const admin = await login(one.url, 'admin');
    const bob = await login(two.url, 'bob');
    expect(
      (await call(one.url, 'POST', '/admin/users/bob/deactivate', { token: admin.access_token })).status,
    ).toBe(204);
    const me = await call(two.url, 'GET', '/me', { token: bob.access_token });
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('user_inactive');
    const relogin = await call(two.url, 'POST', '/auth/login', {
      body: { username: 'bob', password: 'bob-pass' },
    });
    expect(relogin.status).toBe(401);
    expect(relogin.body.code).toBe('user_inactive');
    expect(
      (await call(one.url, 'POST', '/admin/users/bob/activate', { token: admin.access_token })).status,
    ).toBe(204);
    await login(two.url, 'bob');
  });

  it('a refresh rotated on one instance is detected as reused on the other', async () => {
    const tokens = await login(one.url, 'alice');
    const rotated = await call(one.url, 'POST', '/auth/refresh', { token: tokens.refresh_token });
    expect(rotated.status).toBe(200);
    const replay = await call(two.url, 'POST', '/auth/refresh', { token: tokens.refresh_token });
    expect(replay.body.code).toBe('refresh_token_reused');
    expect((await call(one.url, 'GET', '/me', { token: rotated.body.access_token })).body.code).toBe(
      'token_revoked',
    );
  });

  it('a session listed on one instance can be ended from the other', async () => {
    const phone = await login(one.url, 'alice');
    const laptop = await login(two.url, 'alice');
    const list = await call(one.url, 'GET', '/sessions', { token: laptop.access_token });
    const phoneId = (await call(two.url, 'GET', '/me', { token: phone.access_token })).body.session_id;
    expect(list.body.map((session: { id: string }) => session.id)).toContain(phoneId);
    expect(
      (await call(two.url, 'DELETE', `/sessions/${phoneId}`, { token: laptop.access_token })).status,
    ).toBe(204);
    expect((await call(one.url, 'GET', '/me', { token: phone.access_token })).body.code).toBe(
      'token_revoked',
    );
  });
});

describe('Redis faults: fail closed, recover without a restart', () => {
  beforeEach(async () => {
    await redis.start();
    await waitFor(async () => (await call(one.url, 'GET', '/healthz')).status === 200, 10_000);
  });

  it('Redis killed mid-traffic: 503 store_unavailable within the deadline, never 200 or 500; recovers after restart', async () => {
    const tokens = await login(one.url, 'alice');
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) {
        const reply = await call(one.url, 'GET', '/me', { token: tokens.access_token });
        statuses.push(reply.status);
      }
    })();
    await waitFor(() => statuses.length > 20);
    await redis.stop();
    const killedAt = statuses.length;
    const started = Date.now();
    const down = await call(one.url, 'GET', '/me', { token: tokens.access_token });
    const elapsed = Date.now() - started;
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('store_unavailable');
    expect(down.headers.get('retry-after')).toBe('1');
    // The store deadline is 1 s; allow a little for the request itself.
    expect(elapsed).toBeLessThan(1500);
    expect((await call(one.url, 'GET', '/healthz')).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop = true;
    await traffic;
    // While Redis was down nothing was answered 200 (the token's state was unknown) and nothing was a 500.
    const afterKill = statuses.slice(killedAt + 2);
    expect(afterKill.length).toBeGreaterThan(0);
    expect(afterKill.every((status) => status === 503)).toBe(true);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(
      (await call(one.url, 'POST', '/auth/login', { body: { username: 'alice', password: 'alice-pass' } }))
        .status,
    ).toBe(503);

    await redis.start();
    // Redis came back empty (no persistence): the old session is gone, so it is refused, not revived.
    await waitFor(async () => (await call(one.url, 'GET', '/healthz')).status === 200, 10_000);
    expect((await call(one.url, 'GET', '/me', { token: tokens.access_token })).body.code).toBe(
      'token_revoked',
    );
    const again = await login(one.url, 'alice');
    expect((await call(one.url, 'GET', '/me', { token: again.access_token })).status).toBe(200);
  });

  it('Redis flushed: everyone is logged out', async () => {
    const alice = await login(one.url, 'alice');
    const bob = await login(two.url, 'bob');
    await redis.flush();
    for (const tokens of [alice, bob]) {
      expect((await call(one.url, 'GET', '/me', { token: tokens.access_token })).body.code).toBe(
        'token_revoked',
      );
      expect((await call(two.url, 'POST', '/auth/refresh', { token: tokens.refresh_token })).body.code).toBe(
        'token_revoked',
      );
    }
  });

  it('an app started before Redis answers 503, then works once Redis is up', async () => {
    const late = await startRedisServer();
    await late.stop();
    const app = await startApp({ JWT_SECRET: secret, REDIS_URL: late.url });
    try {
      const early = await call(app.url, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      expect(early.status).toBe(503);
      expect((await call(app.url, 'GET', '/healthz')).status).toBe(503);
      await late.start();
      await waitFor(async () => (await call(app.url, 'GET', '/healthz')).status === 200, 10_000);
      const tokens = await login(app.url, 'alice');
      expect((await call(app.url, 'GET', '/me', { token: tokens.access_token })).status).toBe(200);
    } finally {
      await app.close();
      await late.stop();
    }
  });
});
