import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';

const base = { JWT_SECRET: 'config-test-secret-0123456789abcdef' };

describe('the reference app reads its limits from the environment', () => {
  it('defaults: 100 sessions per user, 10 failed logins in 900 s, 4 scrypt at once with 8 waiting', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      maxSessions: 100,
      loginMaxFailures: 10,
      loginWindow: 900,
      passwordHashConcurrency: 4,
      passwordHashQueue: 8,
    });
  });

  it('takes MAX_SESSIONS=0 (no limit) and PASSWORD_HASH_QUEUE=0 (no waiting) only when set', () => {
    expect(loadConfig({ ...base, MAX_SESSIONS: '0', PASSWORD_HASH_QUEUE: '0' })).toMatchObject({
      maxSessions: 0,
      passwordHashQueue: 0,
    });
  });

  it('sizes the hashing concurrency to UV_THREADPOOL_SIZE unless PASSWORD_HASH_CONCURRENCY is set', () => {
    expect(loadConfig({ ...base, UV_THREADPOOL_SIZE: '8' }).passwordHashConcurrency).toBe(8);
    expect(
      loadConfig({ ...base, UV_THREADPOOL_SIZE: '8', PASSWORD_HASH_CONCURRENCY: '2' })
        .passwordHashConcurrency,
    ).toBe(2);
  });

  it.each([
    ['LOGIN_MAX_FAILURES', '0'],
    ['LOGIN_MAX_FAILURES', '100001'],
    ['LOGIN_MAX_FAILURES', 'ten'],
    ['LOGIN_WINDOW', '0'],
    ['LOGIN_WINDOW', '86401'],
    ['LOGIN_WINDOW', '1.5'],
    ['MAX_SESSIONS', '-1'],
    ['PASSWORD_HASH_CONCURRENCY', '0'],
    ['PASSWORD_HASH_QUEUE', '-1'],
    ['REVOCATION_ACKS', '17'],
    ['IDLE_TIMEOUT', '0'],
    ['SESSIONS_NOT_BEFORE', 'yesterday'],
  ])('refuses %s=%s at start-up, naming the variable', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(
      new RegExp(`^${name} must be a whole number`),
    );
  });

  it('reads REVOCATION_ACKS (default 0), IDLE_TIMEOUT and SESSIONS_NOT_BEFORE (default unset)', () => {
    expect(loadConfig(base)).toMatchObject({
      revocationAcks: 0,
      idleTimeout: undefined,
      sessionsNotBefore: undefined,
    });
    expect(
      loadConfig({ ...base, REVOCATION_ACKS: '1', IDLE_TIMEOUT: '1800', SESSIONS_NOT_BEFORE: '1764000000' }),
    ).toMatchObject({ revocationAcks: 1, idleTimeout: 1800, sessionsNotBefore: 1_764_000_000 });
  });

  it('runs on Fastify unless APP_FRAMEWORK names express or hono', () => {
    expect(loadConfig(base).framework).toBe('fastify');
    expect(loadConfig({ ...base, APP_FRAMEWORK: '' }).framework).toBe('fastify');
    for (const framework of ['fastify', 'express', 'hono']) {
      expect(loadConfig({ ...base, APP_FRAMEWORK: framework }).framework).toBe(framework);
    }
  });

  it.each(['koa', 'Express', ' hono'])(
    'refuses APP_FRAMEWORK=%j at start-up, naming the variable',
    (value) => {
      expect(() => loadConfig({ ...base, APP_FRAMEWORK: value })).toThrow(
        /^APP_FRAMEWORK must be one of fastify, express, hono$/,
      );
    },
  );
});
