import { redisStore } from 'authjwt/redis';
import { describe, expect, it } from 'vitest';
import type { SessionRecord, SessionStore } from '../../src/stores/port.js';
import { randomId } from '../../src/tokens/random-id.js';
import { redisForFile } from '../sessions/fixtures.js';

const hour = 3_600_000;
const redis = redisForFile();

function session(userId: string, t0: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomId(),
    userId,
    createdAt: t0,
    lastSeenAt: t0,
    expiresAt: t0 + 24 * hour,
    idleExpiresAt: t0 + hour,
    refreshJti: randomId(),
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari',
    ip: '198.51.100.23',
    claims: { roles: ['user'] },
    ...overrides,
  };
}

/** Every operation of the port, for one user, leaving behind every kind of key. */
async function workload(store: SessionStore, userId: string, t0: number): Promise<void> {
  const sessions = [session(userId, t0), session(userId, t0 + 1), session(userId, t0 + 2)];
  for (const s of sessions) await store.createSession(s, { maxSessions: 5, now: s.createdAt });
  await store.touchSession(userId, sessions[0]?.id ?? '', t0 + 10, t0 + 2 * hour);
  await store.rotateRefresh({
    userId,
    sessionId: sessions[1]?.id ?? '',
    presentedJti: sessions[1]?.refreshJti ?? '',
    nextJti: randomId(),
    now: t0 + 20,
    graceMs: 1000,
    idleExpiresAt: t0 + 3 * hour,
  });
  await store.revokeSession(userId, sessions[2]?.id ?? '');
  await store.listSessions(userId, t0 + 30, 1000);
  await store.setCachedUser(userId, '{"name":"x"}', 60_000);
  await store.revokeAllSessions(`${userId}-other`);
  await store.setUserActive(`${userId}-inactive`, false, t0);
  await store.createSession(session(userId, t0 + 40), { maxSessions: 0, now: t0 + 40 });
}

async function keysOf(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.client.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
  return keys.sort();
}

describe('the Redis key layout', () => {
  it("puts every key of a user under the user's one hash tag, and no two users under one", async () => {
    const store = redisStore({ client: redis.client, prefix: 'tag:' });
    const t0 = Date.now();
    await workload(store, 'alice', t0);
    await workload(store, 'bob', t0);
    const keys = await keysOf('tag:*');
    const tagOf = (key: string) => /^tag:\{([A-Za-z0-9_-]{16})\}:(s|u|p)$/.exec(key)?.[1];
    expect(keys.every((key) => tagOf(key) !== undefined)).toBe(true);
    // alice: sessions and profile; alice-inactive: its state; alice-other (logout-all): nothing left.
    const tags = new Map<string, number>();
    for (const key of keys) tags.set(tagOf(key) ?? '', (tags.get(tagOf(key) ?? '') ?? 0) + 1);
    expect([...tags.values()].sort()).toEqual([1, 1, 2, 2]);
    await store.close();
  });

  it('gives every key an expiry, so nothing outlives its data', async () => {
    const store = redisStore({ client: redis.client, prefix: 'ttl:' });
    const t0 = Date.now();
    for (let n = 0; n < 20; n += 1) await workload(store, `user-${n}`, t0);
    const keys = await keysOf('ttl:*');
    expect(keys.length).toBe(20 * 3);
    const ttls = await Promise.all(keys.map((key) => redis.client.pTTL(key)));
    expect(keys.filter((_, n) => (ttls[n] ?? -1) <= 0)).toEqual([]);
    await store.close();
  });

  it("expires the sessions hash with the user's longest-lived session, and pushes it later on use", async () => {
    const store = redisStore({ client: redis.client, prefix: 'exp:' });
    const t0 = Date.now();
    const short = session('alice', t0, { idleExpiresAt: t0 + 60_000 });
    const long = session('alice', t0, { idleExpiresAt: t0 + 120_000 });
    await store.createSession(short, { maxSessions: 0, now: t0 });
    const [key] = await keysOf('exp:*:s');
    expect(await redis.client.pExpireTime(key ?? '')).toBe(t0 + 60_000);
    await store.createSession(long, { maxSessions: 0, now: t0 });
    expect(await redis.client.pExpireTime(key ?? '')).toBe(t0 + 120_000);
    await store.touchSession('alice', short.id, t0 + 1, t0 + 180_000);
    expect(await redis.client.pExpireTime(key ?? '')).toBe(t0 + 180_000);
    // Ending a session never shortens it: the others may still need it.
    await store.revokeSession('alice', short.id);
    expect(await redis.client.pExpireTime(key ?? '')).toBe(t0 + 180_000);
    await store.close();
  });

  it('keeps hostile user and session ids out of key names', async () => {
    const store = redisStore({ client: redis.client, prefix: 'inj:' });
    const t0 = Date.now();
    const ids = ['*', 'a}{b', '{x}', 'inj:*', '\\', '?[]', 'ü🙂', 'a:s', '', ' '.repeat(5)];
    for (const userId of ids) {
      await store.createSession(session(userId, t0, { id: `${userId}*{}` }), { maxSessions: 0, now: t0 });
      await store.setCachedUser(userId, '{}', hour);
    }
    const keys = await keysOf('inj:*');
    expect(keys.length).toBe(ids.length * 2);
    expect(keys.filter((key) => !/^inj:\{[A-Za-z0-9_-]{16}\}:(s|p)$/.test(key))).toEqual([]);
    await store.close();
  });

  it('packs a realistic session into at most 215 bytes', async () => {
    const store = redisStore({ client: redis.client, prefix: 'size:' });
    const t0 = Date.now();
    const s = session('alice', t0, {
      userAgent: 'M'.repeat(100),
      ip: '203.0.113.195',
      expiresAt: t0 + 30 * 24 * hour,
      idleExpiresAt: t0 + hour / 2,
      claims: { roles: ['user'] },
    });
    await store.createSession(s, { maxSessions: 0, now: t0 });
    const [key] = await keysOf('size:*:s');
    // 100 + 13 + 18 bytes of metadata, 22 + 22 of ids, five times, and the framing.
    expect((await redis.client.strLen(key ?? '')) <= 215).toBe(true);
    await store.close();
  });

  it('lets the Lua scripts rewrite a session exactly as JavaScript wrote it', async () => {
    const store = redisStore({ client: redis.client, prefix: 'codec:' });
    const t0 = Date.now();
    const odd = session('alice', t0, {
      lastSeenAt: t0 - 5000,
      // An odd number of ms, far enough ahead that the key (it expires then) outlives the test.
      idleExpiresAt: t0 + 60_007,
      userAgent: '1.2.3,4,5.6.7',
      ip: ',.,',
      claims: { ',': '.', n: [1, 2.5, null], s: 'ü🙂' },
    });
    await store.createSession(odd, { maxSessions: 0, now: t0 });
    const [key] = await keysOf('codec:*:s');
    const before = await redis.client.get(key ?? '');
    // Touching with the session's own times makes the script decode and encode without a change.
    await store.touchSession('alice', odd.id, odd.lastSeenAt, odd.idleExpiresAt);
    expect(await redis.client.get(key ?? '')).toBe(before);
    expect((await store.getSessionState('alice', odd.id, t0)).session).toEqual(odd);
    await store.close();
  });
});

describe('a server that lost its data and its scripts', () => {
  it('logs everyone out and goes on working, loading its scripts again', async () => {
    const store = redisStore({ client: redis.client, prefix: 'lost:' });
    const t0 = Date.now();
    const before = session('alice', t0);
    await store.createSession(before, { maxSessions: 0, now: t0 });
    await redis.server.command('SCRIPT', 'FLUSH');
    await redis.server.flush();
    expect((await store.getSessionState('alice', before.id, t0)).session).toBe(null);
    const after = session('alice', t0);
    await store.createSession(after, { maxSessions: 1, now: t0 });
    expect((await store.listSessions('alice', t0, 1000)).map((s) => s.id)).toEqual([after.id]);
    await store.close();
  });
});

describe('redisStore options', () => {
  it('refuses what is not a Redis client, and a prefix with braces, naming the option', () => {
    expect(() => redisStore({ client: {} as never })).toThrow(/`client`/);
    expect(() => redisStore({ client: redis.client, prefix: 'a{b}:' })).toThrow(/`prefix`/);
    expect(() => redisStore({ client: redis.client, commandTimeout: 0 })).toThrow(/`commandTimeout`/);
  });
});
