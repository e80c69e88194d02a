import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningApp, startApp } from './start-app.js';

let running: RunningApp;

beforeAll(async () => {
  running = await startApp({
    JWT_SECRET: 'password-hashing-test-secret-0123456789abcdef',
    // One scrypt at a time and one waiting: a burst of a few logins is already more than that.
    PASSWORD_HASH_CONCURRENCY: '1',
    PASSWORD_HASH_QUEUE: '1',
    // High enough that the throttle, which counts each attempt before hashing, stays out of the way.
    LOGIN_MAX_FAILURES: '1000',
  });
});
afterAll(async () => running?.close());

const routes = ['/auth/login', '/auth/fresh', '/auth/cookie/login'];

describe('password hashing is bounded, so a login flood cannot starve honest logins', () => {
  it('sheds a burst beyond PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE with 503 server_busy and Retry-After, never a 500', async () => {
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        call(running.url, 'POST', routes[n % routes.length] as string, {
          body: { username: 'alice', password: n % 2 === 0 ? 'alice-pass' : 'wrong' },
        }),
      ),
    );
    const statuses = burst.map((reply) => reply.status);
    expect(statuses.every((status) => [200, 204, 401, 503].includes(status))).toBe(true);
    const shed = burst.filter((reply) => reply.status === 503);
    // 1 hashing + 1 queued: at most 2 are hashed at first, so most of 24 simultaneous logins are shed.
    expect(shed.length).toBeGreaterThan(0);
    for (const reply of shed) {
      expect(reply.body).toEqual({
        statusCode: 503,
        code: 'server_busy',
        error: 'Service Unavailable',
        message: expect.any(String),
      });
      expect(reply.headers.get('retry-after')).toBe('1');
    }
    expect(statuses.some((status) => status === 200 || status === 204)).toBe(true);

    const honest = await call(running.url, 'POST', '/auth/login', {
      body: { username: 'alice', password: 'alice-pass' },
    });
    expect(honest.status).toBe(200);
  });

  it('bounds the hashing of a password change too, and the change still works after a burst', async () => {
    const login = await call(running.url, 'POST', '/auth/login', {
      body: { username: 'bob', password: 'bob-pass' },
    });
    const changes = await Promise.all(
      Array.from({ length: 12 }, () =>
        call(running.url, 'POST', '/account/password', {
          token: login.body.access_token,
          body: { new_password: 'bob-pass' },
        }),
      ),
    );
    expect(changes.every((reply) => reply.status === 204 || reply.status === 503)).toBe(true);
    expect(changes.some((reply) => reply.status === 503)).toBe(true);
    expect(
      (await call(running.url, 'POST', '/auth/login', { body: { username: 'bob', password: 'bob-pass' } }))
        .status,
    ).toBe(200);
  });
});
