import { AuthConfigError, createAuth, memoryStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';
import { codeOf, countingStore, makeAuth, secret, tick } from './fixtures.js';

describe("revocation: 'cached' with the memory store", () => {
  it('serves the steady state from the cache: one store read for many requests', async () => {
    const counting = countingStore();
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store: counting.store });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    const before = counting.counts.getSessionState;
    for (let i = 0; i < 100; i++) await auth.authenticate(pair.accessToken);
    expect(counting.counts.getSessionState - before).toBe(1);
    expect(auth.metrics().sessionCache).toEqual({ hits: 99, misses: 1 });
  });

  it('authenticateNow answers the steady state without a promise, and a known revocation at once', async () => {
    const counting = countingStore();
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store: counting.store });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    const first = auth.authenticateNow(pair.accessToken);
    expect(first).toBeInstanceOf(Promise); // a cold cache: the store is asked
    await first;
    const before = counting.counts.getSessionState;
    const context = auth.authenticateNow(pair.accessToken);
    expect(context).not.toBeInstanceOf(Promise);
    expect(context).toMatchObject({ subject: 'alice', sessionId: pair.sessionId, tokenType: 'access' });
    expect(counting.counts.getSessionState).toBe(before);
    // Each lookup is counted once, whichever path answered.
    expect(auth.metrics().sessionCache).toEqual({ hits: 1, misses: 1 });

    await auth.logout(context as Awaited<typeof context>);
    await tick();
    let refusal: unknown;
    try {
      auth.authenticateNow(pair.accessToken);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'token_revoked' });
    // The promise API turns the same synchronous refusal into a rejection.
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
    expect(() => auth.authenticateNow('not a token')).toThrow(
      expect.objectContaining({ code: 'token_invalid' }),
    );
  });

  it('authenticateNow goes to the store when a part is not cached: strict mode, profiles not yet loaded', async () => {
    const strict = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      sessions: { revocation: 'strict' },
    });
    const pair = await strict.login({ subject: 'alice' });
    for (let i = 0; i < 3; i++) expect(strict.authenticateNow(pair.accessToken)).toBeInstanceOf(Promise);

    let loads = 0;
    const withUsers = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      users: {
        load: async (id) => {
          loads++;
          return { id, active: true };
        },
      },
    });
    await tick();
    const bob = await withUsers.login({ subject: 'bob' });
    expect(await withUsers.authenticateNow(bob.accessToken)).toMatchObject({ user: { id: 'bob' } });
    const cached = withUsers.authenticateNow(bob.accessToken);
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ user: { id: 'bob' } });
    expect(loads).toBe(1);
    await withUsers.invalidateUser('bob');
    await tick();
    expect(withUsers.authenticateNow(bob.accessToken)).toBeInstanceOf(Promise);
  });

  it('a revocation made by another instance on the shared store is honoured at once', async () => {
    const store = memoryStore();
    const one = createAuth({ signingKey: { alg: 'HS256', key: secret }, store });
    const two = createAuth({ signingKey: { alg: 'HS256', key: secret }, store });
    await tick();
    const pair = await one.login({ subject: 'alice' });
    await one.authenticate(pair.accessToken);
    await one.authenticate(pair.accessToken);
    await two.logout(await two.authenticate(pair.accessToken));
    await tick();
    expect(await codeOf(one.authenticate(pair.accessToken))).toBe('token_revoked');
    const bob = await one.login({ subject: 'bob' });
    await one.authenticate(bob.accessToken);
    await two.deactivateUser('bob');
    await tick();
    expect(await codeOf(one.authenticate(bob.accessToken))).toBe('user_inactive');
  });

  it('a read that started before a revocation event does not fill the cache', async () => {
    const counting = countingStore();
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store: counting.store });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    const release = counting.hold();
    const stale = auth.authenticate(pair.accessToken); // reads "live", answer held back
    await tick();
    await counting.store.revokeSession('alice', pair.sessionId); // publishes while the read is in flight
    await tick();
    release();
    await stale; // it was live when read: answering it is fine
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
  });

  it('a cached check reads the clock once: the token, the session and freshness are judged at one instant', async () => {
    // A clock reading measured ~40 ns, three times the claims check of a cached token.
    let reads = 0;
    let nowMs = Date.UTC(2026, 0, 1);
    const clock = () => {
      reads += 1;
      return nowMs;
    };
    const store = memoryStore({ clock: () => nowMs });
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store, clock });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    const { token } = auth.tokens.signAccessToken({
      subject: 'alice',
      sessionId: pair.sessionId,
      fresh: true,
    });
    await auth.authenticate(token); // fills the cache
    reads = 0;
    const context = auth.authenticateNow(token);
    expect(context).not.toBeInstanceOf(Promise);
    expect(context).toMatchObject({ subject: 'alice', fresh: true });
    expect(reads).toBe(1);

    // The one reading still fails closed when the clock breaks.
    nowMs = Number.NaN;
    expect(() => auth.authenticateNow(token)).toThrow(AuthConfigError);
    nowMs = Date.UTC(2026, 0, 1) + 301_000; // past the 5-minute freshness, within the token's life
    expect(await auth.authenticate(token)).toMatchObject({ fresh: false });
  });

  it('a token checked again and again from the cache still records its use every touchInterval', async () => {
    // A cached check that passed lets the token's next checks pass at once; never past a touch due.
    const { auth, clock } = makeAuth({ sessions: { touchInterval: 10 } });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    const lastSeen = async () => (await auth.listSessions('alice'))[0]?.lastSeenAt.getTime() ?? 0;
    const created = await lastSeen();
    await auth.authenticate(pair.accessToken); // fills the cache
    for (let second = 1; second <= 25; second++) {
      clock.advance(1);
      expect(auth.authenticateNow(pair.accessToken)).toMatchObject({ subject: 'alice' });
      await tick(); // the touch, if one was due, completes
    }
    expect(await lastSeen()).toBeGreaterThanOrEqual(created + 20_000);
    expect(auth.metrics().sessionCache).toEqual({ hits: 25, misses: 1 });
  });
});

describe("revocation: 'cached' with Redis", () => {
  let redis: RedisServer;
  const clients: { destroy(): void }[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await redis.stop();
  });

  async function instance() {
    const client = createClient({
      url: redis.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => 50 },
    });
    client.on('error', () => {});
    clients.push(client);
    await client.connect();
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store: redisStore({ client }) });
    // The cache is trusted only once the revocation channel is confirmed.
    await new Promise<void>((resolve) => {
      const stop = auth.onRevocation((signal) => {
        if (signal === 'up') {
          stop();
          resolve();
        }
      });
    });
    return auth;
  }

  it('steady state makes no round trip; a logout on another instance is honoured at once', async () => {
    const one = await instance();
    const two = await instance();
    const pair = await one.login({ subject: 'carol' });
    await one.authenticate(pair.accessToken);
    const calls = one.metrics().store.calls;
    for (let i = 0; i < 50; i++) await one.authenticate(pair.accessToken);
    expect(one.metrics().store.calls).toBe(calls);
    await two.logout(await two.authenticate(pair.accessToken));
    // Propagation time is measured by bench/revocation-latency.ts, not asserted here.
    await waitFor(async () => (await codeOf(one.authenticate(pair.accessToken))) === 'token_revoked', 1000);
    await one.close();
    await two.close();
  });

  it('empties and bypasses the cache while the channel is down, then recovers', async () => {
    const one = await instance();
    const pair = await one.login({ subject: 'dave' });
    await one.authenticate(pair.accessToken);
    await redis.stop();
    // Nothing is served from a cache that might miss an invalidation: the request fails closed.
    await waitFor(
      async () => (await codeOf(one.authenticate(pair.accessToken))) === 'store_unavailable',
      3000,
    );
    await redis.start();
    // Redis came back empty: the session is gone, and the cache must not say otherwise.
    await waitFor(async () => (await codeOf(one.authenticate(pair.accessToken))) === 'token_revoked', 10_000);
    await one.close();
  });
});

describe('metrics', () => {
  it('counts and forwards nothing when switched off', async () => {
    const events: string[] = [];
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      metrics: { enabled: false, onEvent: (event) => events.push(event.name) },
    });
    const pair = await auth.login({ subject: 'alice' });
    await auth.authenticate(pair.accessToken);
    await codeOf(auth.authenticate('garbage'));
    const snapshot = auth.metrics();
    expect(snapshot.verifications).toEqual({ ok: 0 });
    expect(snapshot).toMatchObject({ logins: 0, sessionCache: { hits: 0, misses: 0 } });
    expect(snapshot.store.calls).toBe(0);
    expect(events).toEqual([]);
  });

  it('a sink that throws does not break authentication', async () => {
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      metrics: {
        onEvent: () => {
          throw new Error('sink down');
        },
      },
    });
    const pair = await auth.login({ subject: 'alice' });
    expect((await auth.authenticate(pair.accessToken)).subject).toBe('alice');
    expect(auth.metrics().verifications.ok).toBe(1);
  });

  it('counts verifications by outcome, logins, refreshes, reuse and revocations, and renders Prometheus text', async () => {
    const { toPrometheusText } = await import('authjwt');
    const events: string[] = [];
    const verificationLabels: Record<string, string>[] = [];
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      sessions: { refreshReuseGrace: 0 },
      metrics: {
        onEvent: (event) => {
          events.push(event.name);
          if (event.name === 'verification') verificationLabels.push({ ...event.labels });
        },
      },
    });
    const pair = await auth.login({ subject: 'alice' });
    await auth.authenticate(pair.accessToken);
    await codeOf(auth.authenticate('garbage'));
    await auth.refresh(pair.refreshToken);
    await codeOf(auth.refresh(pair.refreshToken));
    const second = await auth.login({ subject: 'alice' });
    await auth.logoutAll('alice');
    await codeOf(auth.authenticate(second.accessToken));
    const snapshot = auth.metrics();
    expect(snapshot.verifications).toMatchObject({ ok: 1, token_invalid: 1, token_revoked: 1 });
    expect(snapshot).toMatchObject({
      logins: 2,
      refreshes: 1,
      refreshReuseDetected: 1,
      // The reuse ended a session; the logout-all, all of a user's.
      revocations: { session: 1, user: 1 },
    });
    expect(snapshot.store.calls).toBeGreaterThan(0);
    expect(events).toContain('refresh_reuse_detected');
    // The sink sees each verification with its outcome, the accepted ones included.
    expect(verificationLabels).toEqual([
      { outcome: 'ok' },
      { outcome: 'token_invalid' },
      { outcome: 'token_revoked' },
    ]);
    const text = toPrometheusText(snapshot);
    expect(text).toContain('# TYPE authjwt_verifications_total counter');
    expect(text).toContain('authjwt_verifications_total{outcome="token_invalid"} 1');
    expect(text).toMatch(/authjwt_store_call_duration_seconds_bucket\{le="\+Inf"\} \d+/);
    expect(text.endsWith('\n')).toBe(true);
  });
});
