/**
 * Issue 15.1: session lifecycle events with the facts an audit log needs, fired once on the instance
 * where the fact happened, after the step (never awaited, never on the per-request check), and
 * harmless when a listener throws. On the memory store and on a real redis-server.
 */
import {
  type AuthEvent,
  type AuthEvents,
  type AuthOptions,
  createAuth,
  memoryStore,
  type SessionStore,
} from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { describe, expect, it } from 'vitest';
import { codeOf, manualClock, redisForFile, secret } from './fixtures.js';

const redis = redisForFile();

/** Listeners run in a later turn of the event loop: this waits for it. */
const listenersRan = () => new Promise((resolve) => setImmediate(resolve));

const stores: Record<string, (clock: () => number) => SessionStore> = {
  memory: (clock) => memoryStore({ clock }),
  redis: () => redisStore({ client: redis.client, prefix: redis.prefix('events') }),
};

const laptop = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0 (Laptop) Firefox/128.0' };
const thief = { ip: '203.0.113.66', userAgent: 'curl/8.5.0' };

describe.each(Object.keys(stores))('session events on the %s store', (storeName) => {
  /** An auth instance whose every listener records what it heard. */
  function recordingAuth(options: Partial<AuthOptions> = {}) {
    // Near real time: Redis expires keys by its own clock, while sessions follow this one.
    const clock = manualClock(Date.now());
    const heard: AuthEvent[] = [];
    const record = (event: AuthEvent) => {
      heard.push(event);
    };
    const events: AuthEvents = {
      onLogin: record,
      onRefresh: record,
      onReuseDetected: record,
      onRevoke: record,
      onSessionExpired: record,
    };
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      clock: clock.now,
      store: (stores[storeName] as (clock: () => number) => SessionStore)(clock.now),
      events,
      ...options,
    });
    return { auth, clock, heard };
  }

  it('onLogin: user, session, device, remember and end, after login resolved', async () => {
    const { auth, clock, heard } = recordingAuth();
    const pair = await auth.login({ subject: 'alice', ...laptop, remember: false });
    // Not yet: the listener runs after the login's own work, in a later turn.
    expect(heard).toEqual([]);
    await listenersRan();
    expect(heard).toEqual([
      {
        type: 'login',
        at: new Date(clock.now()),
        userId: 'alice',
        sessionId: pair.sessionId,
        ...laptop,
        remember: false,
        expiresAt: new Date(clock.now() + 24 * 3600 * 1000),
      },
    ]);
    await auth.close();
  });

  it('onRefresh carries the refresh request’s device; a grace replay is reported as grace', async () => {
    const { auth, heard } = recordingAuth();
    const pair = await auth.login({ subject: 'alice', ...laptop });
    const next = await auth.refresh(pair.refreshToken, laptop);
    await auth.refresh(pair.refreshToken, laptop);
    await listenersRan();
    const refreshes = heard.filter((event) => event.type === 'refresh');
    expect(refreshes.map((event) => [event.sessionId, event.outcome, event.ip, event.userAgent])).toEqual([
      [pair.sessionId, 'rotated', laptop.ip, laptop.userAgent],
      [pair.sessionId, 'grace', laptop.ip, laptop.userAgent],
    ]);
    expect(next.sessionId).toBe(pair.sessionId);
    await auth.close();
  });

  it('onReuseDetected: the presenter’s IP and user agent and the session’s own, then onRevoke (reuse)', async () => {
    const { auth, clock, heard } = recordingAuth({ sessions: { refreshReuseGrace: 0 } });
    const pair = await auth.login({ subject: 'alice', ...laptop });
    clock.advance(1);
    await auth.refresh(pair.refreshToken, laptop);
    expect(await codeOf(auth.refresh(pair.refreshToken, thief))).toBe('refresh_token_reused');
    await listenersRan();
    const at = new Date(clock.now());
    expect(heard.filter((event) => event.type === 'reuse-detected' || event.type === 'revoke')).toEqual([
      {
        type: 'reuse-detected',
        at,
        userId: 'alice',
        sessionId: pair.sessionId,
        ...thief,
        session: laptop,
      },
      { type: 'revoke', at, userId: 'alice', reason: 'reuse', sessionId: pair.sessionId },
    ]);
    await auth.close();
  });

  it('onRevoke: logout, revoked, logout-others, logout-all, limit and deactivated, each with its sessions', async () => {
    const { auth, clock, heard } = recordingAuth({ sessions: { maxSessions: 3 } });
    const first = await auth.login({ subject: 'alice' });
    await auth.logout(first.accessToken);
    // Ending an already ended session reports nothing: nothing ended.
    await auth.logout(first.accessToken);
    const phone = await auth.login({ subject: 'alice' });
    expect(await auth.revokeSession('alice', phone.sessionId)).toBe(true);
    expect(await auth.revokeSession('alice', phone.sessionId)).toBe(false);
    const kept = await auth.login({ subject: 'alice' });
    await auth.login({ subject: 'alice' });
    await auth.login({ subject: 'alice' });
    expect(await auth.logoutOthers(kept.accessToken)).toBe(2);
    await auth.logoutAll('alice');
    const oldest = await auth.login({ subject: 'bob' });
    for (let n = 0; n < 3; n += 1) {
      clock.advance(1); // distinct creation times: the oldest is the one the limit ends
      await auth.login({ subject: 'bob' });
    }
    await auth.deactivateUser('bob');
    await listenersRan();
    const revokes = heard
      .filter((event) => event.type === 'revoke')
      .map(({ at: _at, type: _type, ...rest }) => rest);
    expect(revokes).toEqual([
      { userId: 'alice', reason: 'logout', sessionId: first.sessionId },
      { userId: 'alice', reason: 'revoked', sessionId: phone.sessionId },
      { userId: 'alice', reason: 'logout-others', keptSessionId: kept.sessionId, count: 2 },
      { userId: 'alice', reason: 'logout-all', count: 1 },
      { userId: 'bob', reason: 'limit', sessionId: oldest.sessionId },
      { userId: 'bob', reason: 'deactivated' },
    ]);
    // One event per fact: nine logins, no more.
    expect(heard.filter((event) => event.type === 'login').length).toBe(9);
    await auth.close();
  });

  it('onSessionExpired: a refresh finding its session still stored past its idle end', async () => {
    const { auth, clock, heard } = recordingAuth({ sessions: { idleTimeout: '10m' } });
    const pair = await auth.login({ subject: 'alice', ...laptop });
    const loggedInAt = clock.now();
    clock.advance(11 * 60);
    expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('token_revoked');
    await listenersRan();
    expect(heard.filter((event) => event.type === 'session-expired')).toEqual([
      {
        type: 'session-expired',
        at: new Date(clock.now()),
        userId: 'alice',
        sessionId: pair.sessionId,
        reason: 'idle',
        endedAt: new Date(loggedInAt + 10 * 60 * 1000),
        ...laptop,
      },
    ]);
    // The store has dropped it since: a second refresh is refused without a second sighting.
    expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('token_revoked');
    await listenersRan();
    expect(heard.filter((event) => event.type === 'session-expired').length).toBe(1);
    await auth.close();
  });
});

describe('events on a shared Redis store', () => {
  it('fires on the instance where the fact happened only, not on another sharing the store', async () => {
    const prefix = redis.prefix('events-shared');
    const heardHere: AuthEvent[] = [];
    const heardThere: AuthEvent[] = [];
    const make = (heard: AuthEvent[]) =>
      createAuth({
        signingKey: { alg: 'HS256', key: secret },
        store: redisStore({ client: redis.client, prefix }),
        events: { onLogin: (event) => void heard.push(event), onRevoke: (event) => void heard.push(event) },
      });
    const here = make(heardHere);
    const there = make(heardThere);
    const pair = await here.login({ subject: 'alice' });
    await here.logoutAll('alice');
    await there.authenticate(pair.accessToken).catch(() => {});
    await listenersRan();
    expect(heardHere.map((event) => event.type)).toEqual(['login', 'revoke']);
    expect(heardThere).toEqual([]);
    await here.close();
    await there.close();
  });
});

describe('a listener that fails breaks nothing', () => {
  it('throwing and rejecting listeners: login, refresh, authenticate and logout still succeed; errors go to onEventError', async () => {
    const reported: [string, string][] = [];
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      events: {
        onLogin() {
          throw new Error('audit store down');
        },
        onRefresh: async () => {
          throw new Error('audit store rejected');
        },
        onRevoke() {
          throw new Error('audit store down again');
        },
        onEventError(error, event) {
          reported.push([event.type, (error as Error).message]);
          throw new Error('and the error hook fails too');
        },
      },
    });
    const pair = await auth.login({ subject: 'alice' });
    const next = await auth.refresh(pair.refreshToken);
    expect((await auth.authenticate(next.accessToken)).subject).toBe('alice');
    await auth.logout(next.accessToken);
    await listenersRan();
    await listenersRan();
    expect(reported).toEqual([
      ['login', 'audit store down'],
      ['refresh', 'audit store rejected'],
      ['revoke', 'audit store down again'],
    ]);
    await auth.close();
  });

  it('without onEventError, a failing listener is dropped silently (no unhandled rejection)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const auth = createAuth({
        signingKey: { alg: 'HS256', key: secret },
        events: { onLogin: async () => Promise.reject(new Error('nobody listens')) },
      });
      await auth.login({ subject: 'alice' });
      await listenersRan();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      await auth.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('refuses a listener that is not a function at construction', () => {
    const make = (events: unknown) =>
      createAuth({ signingKey: { alg: 'HS256', key: secret }, events: events as AuthEvents });
    expect(() => make({ onLogin: 'log it' })).toThrow(/events\.onLogin/);
    expect(() => make({ onEventError: 1 })).toThrow(/events\.onEventError/);
    expect(() => make('all')).toThrow(/events/);
  });
});

describe('no event work on the per-request check', () => {
  it('authenticate, cached and strict, never reads a listener nor calls one', async () => {
    let reads = 0;
    const calls: string[] = [];
    const listener = (name: string) => () => void calls.push(name);
    // Every listener behind a getter: a read after construction would be event work on the request path.
    const events = {} as AuthEvents;
    for (const name of ['onLogin', 'onRefresh', 'onReuseDetected', 'onRevoke', 'onSessionExpired'] as const) {
      Object.defineProperty(events, name, {
        enumerable: true,
        get: () => {
          reads += 1;
          return listener(name);
        },
      });
    }
    for (const revocation of ['cached', 'strict'] as const) {
      const clock = manualClock();
      const auth = createAuth({
        signingKey: { alg: 'HS256', key: secret },
        clock: clock.now,
        store: memoryStore({ clock: clock.now }),
        sessions: { revocation, touchInterval: 0 },
        events,
      });
      const pair = await auth.login({ subject: 'alice' });
      await listenersRan();
      reads = 0;
      calls.length = 0;
      for (let n = 0; n < 50; n += 1) {
        clock.advance(1);
        expect((await auth.authenticate(pair.accessToken)).sessionId).toBe(pair.sessionId);
        auth.authenticateNow(pair.accessToken);
      }
      await listenersRan();
      expect([revocation, reads, calls]).toEqual([revocation, 0, []]);
      await auth.close();
    }
  });
});
