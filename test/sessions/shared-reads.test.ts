import { createAuth, memoryStore } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { codeOf, countingStore, manualClock, secret, tick } from './fixtures.js';

/** An auth in the default cached mode on a counting store, once its revocation channel is up. */
async function cachedAuth() {
  const counting = countingStore();
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store: counting.store });
  await tick();
  return { counting, auth };
}

describe("concurrent cache misses share one store read ('cached' mode)", () => {
  it('50 requests that miss together make one session read, and all pass', async () => {
    const { counting, auth } = await cachedAuth();
    const pair = await auth.login({ subject: 'alice' });
    const before = counting.counts.getSessionState;
    const callsBefore = auth.metrics().store.calls;
    const release = counting.hold();
    const requests = Array.from({ length: 50 }, () => auth.authenticate(pair.accessToken));
    await tick();
    release();
    const contexts = await Promise.all(requests);
    expect(contexts.every((context) => context.sessionId === pair.sessionId)).toBe(true);
    expect(counting.counts.getSessionState - before).toBe(1);
    // Every request still counts as one lookup, and each missed.
    expect(auth.metrics().sessionCache).toEqual({ hits: 0, misses: 50 });
    expect(auth.metrics().store.calls - callsBefore).toBe(1);
  });

  it('a request that comes after a revocation event does not join a read that began before it', async () => {
    const { counting, auth } = await cachedAuth();
    const pair = await auth.login({ subject: 'alice' });
    const before = counting.counts.getSessionState;
    const release = counting.hold();
    const early = auth.authenticate(pair.accessToken); // reads "live"; the answer is held back
    await tick();
    await counting.store.revokeSession('alice', pair.sessionId); // publishes while it is in flight
    await tick();
    const late = codeOf(auth.authenticate(pair.accessToken));
    await tick();
    release();
    await early; // it came before the event: answering from the earlier read is fine
    expect(await late).toBe('token_revoked');
    expect(counting.counts.getSessionState - before).toBe(2);
  });

  it('different sessions of one user are read separately', async () => {
    const { counting, auth } = await cachedAuth();
    const one = await auth.login({ subject: 'alice' });
    const two = await auth.login({ subject: 'alice' });
    const before = counting.counts.getSessionState;
    const contexts = await Promise.all([
      auth.authenticate(one.accessToken),
      auth.authenticate(two.accessToken),
      auth.authenticate(one.accessToken),
    ]);
    expect(contexts.map((context) => context.sessionId)).toEqual([
      one.sessionId,
      two.sessionId,
      one.sessionId,
    ]);
    expect(counting.counts.getSessionState - before).toBe(2);
  });

  it('a failed shared read refuses every request that joined it, and the next one reads again', async () => {
    const inner = memoryStore();
    let failing = false;
    let reads = 0;
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'getSessionState') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<typeof inner.getSessionState>) => {
          reads++;
          await tick();
          if (failing) throw new Error('connection lost');
          return target.getSessionState(...args);
        };
      },
    });
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, store });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    const before = reads; // login reads the user's state
    failing = true;
    const codes = await Promise.all(
      Array.from({ length: 5 }, () => codeOf(auth.authenticate(pair.accessToken))),
    );
    expect(codes).toEqual(Array(5).fill('store_unavailable'));
    expect(reads - before).toBe(1);
    failing = false;
    await expect(auth.authenticate(pair.accessToken)).resolves.toMatchObject({ subject: 'alice' });
    expect(reads - before).toBe(2);
  });

  it("strict mode reads the store on every request, one after another or at once, as 'strict' promises", async () => {
    const counting = countingStore();
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      store: counting.store,
      sessions: { revocation: 'strict' },
    });
    const pair = await auth.login({ subject: 'alice' });
    const before = counting.counts.getSessionState;
    for (let i = 0; i < 10; i++) await auth.authenticate(pair.accessToken);
    expect(counting.counts.getSessionState - before).toBe(10);
    // Concurrent requests share nothing either.
    await Promise.all(Array.from({ length: 10 }, () => auth.authenticate(pair.accessToken)));
    expect(counting.counts.getSessionState - before).toBe(20);
  });

  it('profiles: concurrent misses call users.load once, and each request gets its own copy', async () => {
    let loads = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      users: {
        load: async (id) => {
          loads++;
          await gate;
          return { id, roles: ['reader'], active: true };
        },
      },
    });
    await tick();
    const pair = await auth.login({ subject: 'bob' });
    const requests = Array.from({ length: 20 }, () => auth.authenticate(pair.accessToken));
    await tick();
    release();
    const contexts = await Promise.all(requests);
    expect(loads).toBe(1);
    expect(contexts.every((context) => (context.user as { id: string }).id === 'bob')).toBe(true);
    const [first, second] = contexts.map((context) => context.user as { roles: string[] });
    first?.roles.push('admin');
    expect(second?.roles).toEqual(['reader']);
  });
});

describe('recording last use', () => {
  it('requests that arrive while a touch is in flight add no touch of their own', async () => {
    const clock = manualClock();
    const counting = countingStore(memoryStore({ clock: clock.now }), ['touchSession']);
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      store: counting.store,
      clock: clock.now,
      sessions: { touchInterval: 60 },
      accessTtl: 3600,
    });
    await tick();
    const pair = await auth.login({ subject: 'alice' });
    await auth.authenticate(pair.accessToken);
    clock.advance(61);
    const release = counting.hold();
    for (let i = 0; i < 20; i++) await auth.authenticate(pair.accessToken);
    expect(counting.counts.touchSession).toBe(1);
    release();
    await tick();
    // Landed: the cache knows the new last use, so nothing more until the interval has passed again.
    for (let i = 0; i < 5; i++) await auth.authenticate(pair.accessToken);
    expect(counting.counts.touchSession).toBe(1);
    clock.advance(61);
    await auth.authenticate(pair.accessToken);
    expect(counting.counts.touchSession).toBe(2);
    expect((await auth.listSessions('alice'))[0]?.lastSeenAt.getTime()).toBe(clock.now());
  });
});
