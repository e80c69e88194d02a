import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/stores/port.js';
import { cacheOnChannel } from './fixtures.js';

/*
 * What one cached session holds: with up to `cache.maxUsers` (100,000) users per instance, every
 * field kept is paid a hundred thousand times (see docs/scaling.md).
 */

const upCache = () => cacheOnChannel().cache;

const record: SessionRecord = {
  id: 'session-1',
  userId: 'alice',
  createdAt: 500,
  lastSeenAt: 900,
  expiresAt: 100_000,
  idleExpiresAt: 50_000,
  refreshJti: 'refresh-jti',
  previousRefreshJti: 'spent-jti',
  rotatedAt: 800,
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  ip: '203.0.113.7',
  claims: { roles: ['user'] },
};
const active = { active: true };

describe('SessionCache entries', () => {
  it('keep only what a per-request check needs: no device, refresh ids or claims', () => {
    const cache = upCache();
    cache.fillSession(cache.ticket(), 'alice', 'session-1', record, active);
    expect(cache.session('alice', 'session-1', 1_000)?.session).toStrictEqual({
      id: 'session-1',
      userId: 'alice',
      createdAt: 500,
      lastSeenAt: 900,
      expiresAt: 100_000,
      idleExpiresAt: 50_000,
    });
  });

  it('are not made from a record of another session or user than the one asked for', () => {
    const cache = upCache();
    cache.fillSession(cache.ticket(), 'bob', 'session-1', record, active);
    cache.fillSession(cache.ticket(), 'alice', 'session-2', record, active);
    expect(cache.session('bob', 'session-1', 1_000)).toBeUndefined();
    expect(cache.session('alice', 'session-2', 1_000)).toBeUndefined();
  });
});
