import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, frameworks, type RunningApp, startApp } from './start-app.js';

let running: RunningApp;
let base: string;

async function login(username: string, userAgent = 'test-agent') {
  const reply = await call(base, 'POST', '/auth/login', {
    body: { username, password: `${username}-pass` },
    headers: { 'user-agent': userAgent },
  });
  expect(reply.status).toBe(200);
  return reply.body as { access_token: string; refresh_token: string };
}

describe.each(frameworks)('sessions on %s', (framework) => {
  beforeAll(async () => {
    running = await startApp({
      APP_FRAMEWORK: framework,
      JWT_SECRET: 'sessions-http-test-secret-0123456789',
      REFRESH_REUSE_GRACE: '0',
    });
    base = running.url;
  });
  afterAll(async () => running.close());

  describe('reference app sessions over HTTP (embedded memory store)', () => {
    it('logout ends the session: 204, then its access and refresh tokens are refused with token_revoked', async () => {
      const tokens = await login('bob');
      expect((await call(base, 'POST', '/auth/logout', { token: tokens.access_token })).status).toBe(204);
      const me = await call(base, 'GET', '/me', { token: tokens.access_token });
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('token_revoked');
      expect((await call(base, 'POST', '/auth/refresh', { token: tokens.refresh_token })).body.code).toBe(
        'token_revoked',
      );
    });

    it('lists the live sessions with device and marks the current one; deletes another device by id', async () => {
      const phone = await login('alice', 'Phone/1.0');
      const laptop = await login('alice', 'Laptop/2.0');
      const list = await call(base, 'GET', '/sessions', { token: laptop.access_token });
      expect(list.status).toBe(200);
      const phoneSession = list.body.find(
        (session: { user_agent: string }) => session.user_agent === 'Phone/1.0',
      );
      expect(phoneSession).toMatchObject({
        ip: '127.0.0.1',
        current: false,
        created_at: expect.any(String),
        last_seen_at: expect.any(String),
      });
      expect(list.body.find((session: { current: boolean }) => session.current).user_agent).toBe(
        'Laptop/2.0',
      );
      expect(
        (await call(base, 'DELETE', `/sessions/${phoneSession.id}`, { token: laptop.access_token })).status,
      ).toBe(204);
      expect((await call(base, 'GET', '/me', { token: phone.access_token })).body.code).toBe('token_revoked');
      expect((await call(base, 'GET', '/me', { token: laptop.access_token })).status).toBe(200);
    });

    it("answers 404 for another user's session id and for an unknown one, and leaves that session alone", async () => {
      const bob = await login('bob');
      const bobSession = (await call(base, 'GET', '/me', { token: bob.access_token })).body.session_id;
      const alice = await login('alice');
      const other = await call(base, 'DELETE', `/sessions/${bobSession}`, { token: alice.access_token });
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('not_found');
      expect((await call(base, 'DELETE', '/sessions/unknown-id', { token: alice.access_token })).status).toBe(
        404,
      );
      expect((await call(base, 'GET', '/me', { token: bob.access_token })).status).toBe(200);
    });

    it('logout-all ends every session of the user', async () => {
      const first = await login('bob');
      const second = await login('bob');
      expect((await call(base, 'POST', '/auth/logout-all', { token: first.access_token })).status).toBe(204);
      for (const tokens of [first, second]) {
        expect((await call(base, 'GET', '/me', { token: tokens.access_token })).body.code).toBe(
          'token_revoked',
        );
      }
    });

    it('detects refresh token reuse: 401 refresh_token_reused and the whole session ends', async () => {
      const tokens = await login('alice');
      const rotated = await call(base, 'POST', '/auth/refresh', { token: tokens.refresh_token });
      expect(rotated.status).toBe(200);
      const replay = await call(base, 'POST', '/auth/refresh', { token: tokens.refresh_token });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('refresh_token_reused');
      expect((await call(base, 'GET', '/me', { token: rotated.body.access_token })).body.code).toBe(
        'token_revoked',
      );
    });

    it('deactivation by an admin refuses the user from the next request (user_inactive) and fails login; activation restores login', async () => {
      const admin = await login('admin');
      const bob = await login('bob');
      const off = await call(base, 'POST', '/admin/users/bob/deactivate', { token: admin.access_token });
      expect(off.status).toBe(204);
      const me = await call(base, 'GET', '/me', { token: bob.access_token });
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('user_inactive');
      expect(
        (await call(base, 'POST', '/auth/login', { body: { username: 'bob', password: 'bob-pass' } })).status,
      ).toBe(401);
      expect(
        (await call(base, 'POST', '/admin/users/bob/activate', { token: admin.access_token })).status,
      ).toBe(204);
      await login('bob');
      expect(
        (await call(base, 'POST', '/admin/users/nobody/deactivate', { token: admin.access_token })).status,
      ).toBe(404);
      expect(
        (await call(base, 'POST', '/admin/users/alice/deactivate', { token: bob.access_token })).status,
      ).toBe(401);
    });

    it('reports the embedded store and the framework in /healthz', async () => {
      expect((await call(base, 'GET', '/healthz')).body).toEqual({
        status: 'ok',
        store: 'memory',
        framework,
      });
    });
  });

  describe('reference app with MAX_SESSIONS=1', () => {
    it('a new login ends the older session', async () => {
      const single = await startApp({
        JWT_SECRET: 'sessions-http-test-secret-0123456789',
        MAX_SESSIONS: '1',
      });
      try {
        const login1 = await call(single.url, 'POST', '/auth/login', {
          body: { username: 'alice', password: 'alice-pass' },
        });
        const login2 = await call(single.url, 'POST', '/auth/login', {
          body: { username: 'alice', password: 'alice-pass' },
        });
        expect((await call(single.url, 'GET', '/me', { token: login1.body.access_token })).body.code).toBe(
          'token_revoked',
        );
        expect((await call(single.url, 'GET', '/me', { token: login2.body.access_token })).status).toBe(200);
        expect(
          (await call(single.url, 'GET', '/sessions', { token: login2.body.access_token })).body,
        ).toHaveLength(1);
      } finally {
        await single.close();
      }
    });
  });
});
