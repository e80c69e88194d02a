/**
 * Issue 15.2: a per-session lifetime ("remember me"), reading one session, and updating a live
 * session's data and claims so that every instance sees it. On the memory store and on a real
 * redis-server (two auth instances sharing it stand for two app instances).
 */
import { type AuthOptions, createAuth, memoryStore, type SessionStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { describe, expect, it } from 'vitest';
import { codeOf, manualClock, redisForFile, secret } from './fixtures.js';

const redis = redisForFile();

const day = 24 * 3600 * 1000;

/** Two auth instances on one store (one memory store within a process; one Redis for many). */
function twoInstances(storeName: string, options: Partial<AuthOptions> = {}) {
  const clock = manualClock(Date.now());
  const prefix = redis.prefix('shape');
  const memory = memoryStore({ clock: clock.now });
  const store = (): SessionStore =>
    storeName === 'redis' ? redisStore({ client: redis.client, prefix }) : memory;
  const make = () =>
    createAuth({ signingKey: { alg: 'HS256', key: secret }, clock: clock.now, store: store(), ...options });
  return { one: make(), other: make(), clock };
}

describe.each(['memory', 'redis'])('session shape on the %s store', (storeName) => {
  describe('remember me', () => {
    it('remember: false gives the short lifetime (1 day by default), kept through rotation', async () => {
      const { one, clock } = twoInstances(storeName);
      const loginAt = clock.now();
      const pair = await one.login({ subject: 'alice', remember: false });
      expect([pair.remember, pair.refreshExpiresIn]).toEqual([false, day / 1000]);
      const view = await one.getSession('alice', pair.sessionId);
      expect([view?.remember, view?.expiresAt]).toEqual([false, new Date(loginAt + day)]);

      clock.advance(20 * 3600);
      const rotated = await one.refresh(pair.refreshToken);
      // The session's own end caps the new refresh token: 4 hours left, not the 14-day refresh TTL.
      expect([rotated.remember, rotated.refreshExpiresIn]).toEqual([false, 4 * 3600]);
      expect((await one.getSession('alice', pair.sessionId))?.expiresAt).toEqual(new Date(loginAt + day));

      clock.advance(4 * 3600);
      expect(await codeOf(one.refresh(rotated.refreshToken))).toBe('token_expired');
      expect(await one.getSession('alice', pair.sessionId)).toBe(null);
    });

    it('remember: true (the default) keeps the absolute lifetime', async () => {
      const { one } = twoInstances(storeName, { sessions: { shortLifetime: '2h' } });
      const pair = await one.login({ subject: 'alice' });
      expect([pair.remember, pair.refreshExpiresIn]).toEqual([true, (14 * day) / 1000]);
      const short = await one.login({ subject: 'alice', remember: false });
      expect(short.refreshExpiresIn).toBe(2 * 3600);
      const listed = await one.listSessions('alice');
      expect(listed.map((session) => [session.id, session.remember])).toEqual(
        expect.arrayContaining([
          [pair.sessionId, true],
          [short.sessionId, false],
        ]),
      );
    });
  });

  describe('getSession and updateSession', () => {
    it('reads one live session with its data; null for another user, an unknown or an ended session', async () => {
      const { one } = twoInstances(storeName);
      const pair = await one.login({
        subject: 'alice',
        ip: '198.51.100.4',
        userAgent: 'Firefox',
        data: { name: 'Work laptop' },
      });
      expect(await one.getSession('alice', pair.sessionId, pair.sessionId)).toEqual({
        id: pair.sessionId,
        createdAt: expect.any(Date),
        lastSeenAt: expect.any(Date),
        expiresAt: expect.any(Date),
        userAgent: 'Firefox',
        ip: '198.51.100.4',
        current: true,
        remember: true,
        data: { name: 'Work laptop' },
      });
      expect(await one.getSession('bob', pair.sessionId)).toBe(null);
      expect(await one.getSession('alice', 'no-such-session')).toBe(null);
      await one.logout(pair.accessToken);
      expect(await one.getSession('alice', pair.sessionId)).toBe(null);
    });

    it('data updated on one instance is read at once on the other', async () => {
      const { one, other } = twoInstances(storeName);
      const pair = await one.login({ subject: 'alice', data: { name: 'Phone' } });
      const updated = await one.updateSession('alice', pair.sessionId, {
        data: { name: 'My phone', pinned: true },
      });
      expect(updated?.data).toEqual({ name: 'My phone', pinned: true });
      expect((await other.getSession('alice', pair.sessionId))?.data).toEqual({
        name: 'My phone',
        pinned: true,
      });
      expect((await other.listSessions('alice'))[0]?.data).toEqual({ name: 'My phone', pinned: true });
      await one.updateSession('alice', pair.sessionId, { data: null });
      expect((await other.getSession('alice', pair.sessionId))?.data).toBe(undefined);
    });

    it('claims updated on one instance are in the tokens of the next refresh, on any instance', async () => {
      const { one, other } = twoInstances(storeName);
      const pair = await one.login({ subject: 'alice', claims: { roles: ['user'] } });
      await one.updateSession('alice', pair.sessionId, { claims: { roles: ['user', 'admin'], plan: 'pro' } });
      // Tokens already issued keep their claims until they are replaced.
      expect((await other.authenticate(pair.accessToken)).claims.roles).toEqual(['user']);
      const next = await other.refresh(pair.refreshToken);
      const context = await one.authenticate(next.accessToken);
      expect([context.claims.roles, context.claims.plan]).toEqual([['user', 'admin'], 'pro']);
    });

    it('refuses oversize or malformed data and reserved claims with 400 bad_request, changing nothing', async () => {
      const { one } = twoInstances(storeName, { sessions: { maxDataSize: 64 } });
      const pair = await one.login({ subject: 'alice', data: { name: 'ok' } });
      const refusal = async (promise: Promise<unknown>) => {
        const error = (await promise.then(
          () => undefined,
          (caught: unknown) => caught,
        )) as { code?: string; statusCode?: number; message?: string };
        return [error?.code, error?.statusCode];
      };
      const big = { name: 'x'.repeat(100) };
      expect(await refusal(one.updateSession('alice', pair.sessionId, { data: big }))).toEqual([
        'bad_request',
        400,
      ]);
      expect(await refusal(one.updateSession('alice', pair.sessionId, { data: ['a'] as never }))).toEqual([
        'bad_request',
        400,
      ]);
      expect(
        await refusal(one.updateSession('alice', pair.sessionId, { claims: { sub: 'mallory' } })),
      ).toEqual(['bad_request', 400]);
      expect(await refusal(one.login({ subject: 'alice', data: big }))).toEqual(['bad_request', 400]);
      expect((await one.getSession('alice', pair.sessionId))?.data).toEqual({ name: 'ok' });
    });

    it('answers null for a session that is not live, and a view that cannot reach the store', async () => {
      const { one } = twoInstances(storeName);
      const pair = await one.login({ subject: 'alice', data: { list: [1, 2] } });
      expect(await one.updateSession('alice', 'no-such-session', { data: {} })).toBe(null);
      const view = await one.getSession('alice', pair.sessionId);
      const list = view === null ? [] : (view.data as { list: number[] }).list;
      list.push(3);
      expect((await one.getSession('alice', pair.sessionId))?.data).toEqual({ list: [1, 2] });
      await one.logoutAll('alice');
      expect(await one.updateSession('alice', pair.sessionId, { data: {} })).toBe(null);
    });
  });
});

describe('session shape options', () => {
  it('shortLifetime defaults to a day, or to absoluteLifetime if shorter, and may not exceed it', async () => {
    const make = (sessions: AuthOptions['sessions']) =>
      createAuth({ signingKey: { alg: 'HS256', key: secret }, ...(sessions !== undefined && { sessions }) });
    const shortOf = async (sessions: AuthOptions['sessions']) =>
      (await make(sessions).login({ subject: 'alice', remember: false })).refreshExpiresIn;
    expect(await shortOf({ absoluteLifetime: '2h' })).toBe(2 * 3600);
    expect(await shortOf({})).toBe(24 * 3600);
    expect(() => make({ absoluteLifetime: '2h', shortLifetime: '3h' })).toThrow(/sessions\.shortLifetime/);
    expect(() => make({ maxDataSize: 1_000_000 })).toThrow(/sessions\.maxDataSize/);
  });

  it('refuses a remember that is not a boolean', async () => {
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
    await expect(auth.login({ subject: 'alice', remember: 'no' as never })).rejects.toThrow(/remember/);
  });
});
