import type * as Crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, type RunningApp, startApp } from './start-app.js';

// Counts the app's real scrypt computations (the app is in this process): the work a login costs,
// measured without timing anything.
const scrypt = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  const counted = (...args: Parameters<typeof actual.scrypt>) => {
    scrypt.calls += 1;
    return actual.scrypt(...args);
  };
  return { ...actual, scrypt: counted };
});

let running: RunningApp;

beforeAll(async () => {
  running = await startApp({
    JWT_SECRET: 'unknown-user-test-secret-0123456789abcdef',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_WINDOW: '60',
  });
});
afterAll(async () => running?.close());

/** Status, code and scrypt computations of each of `count` wrong-password logins of `username`. */
async function wrongLogins(username: string, count: number) {
  const outcomes: { status: number; code: string; scrypts: number }[] = [];
  for (let n = 0; n < count; n += 1) {
    const before = scrypt.calls;
    const reply = await call(running.url, 'POST', '/auth/login', { body: { username, password: 'wrong' } });
    outcomes.push({ status: reply.status, code: reply.body.code, scrypts: scrypt.calls - before });
  }
  return outcomes;
}

describe('a login for an unknown username is a wrong password in every observable way', () => {
  it('costs one scrypt, is counted by the throttle, and once throttled costs none, exactly like a known user', async () => {
    const expected = [
      { status: 401, code: 'invalid_credentials', scrypts: 1 },
      { status: 401, code: 'invalid_credentials', scrypts: 1 },
      { status: 401, code: 'invalid_credentials', scrypts: 1 },
      { status: 429, code: 'too_many_attempts', scrypts: 0 },
    ];
    expect(await wrongLogins('alice', 4)).toEqual(expected);
    expect(await wrongLogins('mallory', 4)).toEqual(expected);
  });

  it('costs one scrypt for the right password too', async () => {
    const before = scrypt.calls;
    const reply = await call(running.url, 'POST', '/auth/login', {
      body: { username: 'bob', password: 'bob-pass' },
    });
    expect(reply.status).toBe(200);
    expect(scrypt.calls - before).toBe(1);
  });
});
