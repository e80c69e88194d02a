import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { call, type RunningApp, startInstances } from './start-app.js';

const env = (redis: RedisServer) => ({
  JWT_SECRET: 'shared-users-test-secret-0123456789abcdef',
  REDIS_URL: redis.url,
});
let redis: RedisServer;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = (await startInstances(env(redis))) as [RunningApp, RunningApp];
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});
// Every test starts from the seeded directory: an empty Redis, which the instances seed again.
beforeEach(async () => redis.flush());

const loginReply = (base: string, username: string, password: string) =>
  call(base, 'POST', '/auth/login', { body: { username, password } });

async function login(base: string, username: string, password = `${username}-pass`) {
  const reply = await loginReply(base, username, password);
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

const me = (base: string, token: string) => call(base, 'GET', '/me', { token });

describe('two instances on one Redis share the user directory', () => {
  it('a password change on A: B refuses the old password and takes the new one at once; the changing session stays, the others end', async () => {
    const changing = await login(a.url, 'alice');
    const phone = await login(b.url, 'alice');
    const laptop = await login(b.url, 'alice');
    const bob = await login(b.url, 'bob');
    const changed = await call(a.url, 'POST', '/account/password', {
      token: changing,
      body: { new_password: 'alice-new-pass' },
    });
    expect(changed.status).toBe(204);

    const old = await loginReply(b.url, 'alice', 'alice-pass');
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('invalid_credentials');
    expect((await loginReply(a.url, 'alice', 'alice-pass')).status).toBe(401);
    await login(b.url, 'alice', 'alice-new-pass');
    await login(a.url, 'alice', 'alice-new-pass');

    for (const base of [a.url, b.url]) {
      expect((await me(base, changing)).status).toBe(200);
      expect((await me(base, phone)).body.code).toBe('token_revoked');
      expect((await me(base, laptop)).body.code).toBe('token_revoked');
      expect((await me(base, bob)).status).toBe(200);
    }
  });

  it('POST /auth/logout-others on B ends the sessions made on A and keeps its own', async () => {
    const phone = await login(a.url, 'alice');
    const laptop = await login(a.url, 'alice');
    const bob = await login(a.url, 'bob');
    const current = await login(b.url, 'alice');
    const reply = await call(b.url, 'POST', '/auth/logout-others', { token: current });
    expect(reply.status).toBe(204);
    for (const base of [a.url, b.url]) {
      expect((await me(base, current)).status).toBe(200);
      expect((await me(base, phone)).body.code).toBe('token_revoked');
      expect((await me(base, laptop)).body.code).toBe('token_revoked');
      expect((await me(base, bob)).status).toBe(200);
    }
    const sessions = await call(a.url, 'GET', '/sessions', { token: current });
    expect(sessions.body).toHaveLength(1);
    expect(sessions.body[0].current).toBe(true);
    expect((await call(b.url, 'POST', '/auth/logout-others')).body.code).toBe('token_missing');
  });

  it('a deactivation on A refuses the user on B; an activation on B lets the user in on A at once', async () => {
    const admin = await login(a.url, 'admin');
    expect((await call(a.url, 'POST', '/admin/users/bob/deactivate', { token: admin })).status).toBe(204);
    for (const base of [a.url, b.url]) {
      const refused = await loginReply(base, 'bob', 'bob-pass');
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('user_inactive');
    }
    expect((await call(b.url, 'POST', '/admin/users/bob/activate', { token: admin })).status).toBe(204);
    const bob = await login(a.url, 'bob');
    await login(b.url, 'bob');
    expect((await me(b.url, bob)).body.username).toBe('bob');
  });

  it('an instance started later does not reset a changed password or a deactivation (seeds only what is absent)', async () => {
    const alice = await login(a.url, 'alice');
    const admin = await login(a.url, 'admin');
    expect(
      (
        await call(a.url, 'POST', '/account/password', {
          token: alice,
          body: { new_password: 'alice-new-pass' },
        })
      ).status,
    ).toBe(204);
    expect((await call(a.url, 'POST', '/admin/users/bob/deactivate', { token: admin })).status).toBe(204);

    const [later] = (await startInstances(env(redis), 1)) as [RunningApp];
    try {
      expect((await loginReply(later.url, 'alice', 'alice-pass')).status).toBe(401);
      await login(later.url, 'alice', 'alice-new-pass');
      expect((await loginReply(later.url, 'bob', 'bob-pass')).body.code).toBe('user_inactive');
      await login(later.url, 'admin');
    } finally {
      await later.close();
    }
    expect((await loginReply(b.url, 'alice', 'alice-pass')).status).toBe(401);
  });

  it('keeps the directory in Redis: after Redis lost its data, the seeded users are back as seeded', async () => {
    const alice = await login(a.url, 'alice');
    expect(
      (
        await call(a.url, 'POST', '/account/password', {
          token: alice,
          body: { new_password: 'alice-new-pass' },
        })
      ).status,
    ).toBe(204);
    await redis.flush();
    await login(b.url, 'alice', 'alice-pass');
    expect((await loginReply(a.url, 'alice', 'alice-new-pass')).status).toBe(401);
  });
});
