/**
 * Issue 11, point 8: session options that would switch a safety off are refused at construction,
 * with an AuthConfigError naming the option and stating the bound.
 */
import { AuthConfigError, createAuth, memoryStore, type SessionOptions } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { makeAuth, secret } from './fixtures.js';

function refusal(sessions: SessionOptions): AuthConfigError {
  try {
    makeAuth({ sessions });
  } catch (error) {
    if (error instanceof AuthConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthConfigError, but construction succeeded');
}

describe('sessions.refreshReuseGrace: at most 60 seconds', () => {
  it.each([61, '2m', '14d'])(
    'refuses %s (a long grace answers a thief instead of detecting reuse)',
    (grace) => {
      const error = refusal({ refreshReuseGrace: grace });
      expect(error.option).toBe('sessions.refreshReuseGrace');
      expect(error.message).toContain('must be at most 60 seconds');
    },
  );

  it.each([0, 5, 60, '1m'])('accepts %s', (grace) => {
    expect(() => makeAuth({ sessions: { refreshReuseGrace: grace } })).not.toThrow();
  });
});

describe('sessions.cache.maxAge: at most 300 seconds', () => {
  it.each([301, '6m', '365d'])(
    'refuses %s (a lost revocation message would be honoured that long)',
    (maxAge) => {
      const error = refusal({ cache: { maxAge } });
      expect(error.option).toBe('sessions.cache.maxAge');
      expect(error.message).toContain('must be at most 300 seconds');
    },
  );

  it.each([1, 60, 300, '5m'])('accepts %s', (maxAge) => {
    expect(() => makeAuth({ sessions: { cache: { maxAge } } })).not.toThrow();
  });
});

describe('sessions.listLimit: from 1 to 1000, default 100', () => {
  it.each([0, 1001, 2.5])('refuses %s (a listing must stay bounded)', (listLimit) => {
    expect(refusal({ listLimit }).option).toBe('sessions.listLimit');
  });

  it('lists the newest listLimit sessions of a user who has more', async () => {
    const { auth, clock } = makeAuth({ sessions: { listLimit: 3, maxSessions: 0 } });
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      ids.push((await auth.login({ subject: 'alice' })).sessionId);
      clock.advance(1);
    }
    expect((await auth.listSessions('alice')).map((s) => s.id)).toEqual(ids.slice(2).reverse());
  });
});

describe('sessions.maxSessions: 100 unless asked otherwise', () => {
  it('ends the oldest session at the 101st login by default', async () => {
    const { auth, clock } = makeAuth({ sessions: { listLimit: 1000 } });
    const first = await auth.login({ subject: 'alice' });
    for (let n = 0; n < 100; n += 1) {
      clock.advance(1);
      await auth.login({ subject: 'alice' });
    }
    expect((await auth.listSessions('alice')).length).toBe(100);
    await expect(auth.authenticate(first.accessToken)).rejects.toMatchObject({ code: 'token_revoked' });
  });

  it('keeps every session only with maxSessions: 0', async () => {
    const { auth } = makeAuth({ sessions: { maxSessions: 0, listLimit: 1000 } });
    for (let n = 0; n < 101; n += 1) await auth.login({ subject: 'alice' });
    expect((await auth.listSessions('alice')).length).toBe(101);
  });
});

describe('sessions.notBefore: sessions issued before it are void', () => {
  it.each([Number.NaN, -1, 'yesterday' as unknown as number])('refuses %s', (notBefore) => {
    expect(refusal({ notBefore }).option).toBe('sessions.notBefore');
  });

  it('refuses a moment more than 5 minutes ahead of the clock (milliseconds given for seconds, say)', () => {
    expect(refusal({ notBefore: Date.UTC(2026, 0, 1) }).option).toBe('sessions.notBefore');
  });

  it('voids the sessions issued before it, and only those', async () => {
    const first = makeAuth();
    const old = await first.auth.login({ subject: 'alice' });
    first.clock.advance(10);
    const cutoff = new Date(first.clock.now());
    const { auth, clock } = makeAuth({ sessions: { notBefore: cutoff } }, first.store);
    clock.advance(10); // each instance has a clock of its own: this one reaches the cutoff too
    await expect(auth.authenticate(old.accessToken)).rejects.toMatchObject({ code: 'token_revoked' });
    await expect(auth.refresh(old.refreshToken)).rejects.toMatchObject({ code: 'token_revoked' });
    const fresh = await auth.login({ subject: 'alice' });
    await expect(auth.authenticate(fresh.accessToken)).resolves.toMatchObject({ subject: 'alice' });
  });
});

describe('sessions.mode: removed (sessions are always stateful)', () => {
  it.each(['stateless', 'stateful', 'anything'])(
    'refuses mode %s, pointing to createTokenService for tokens without sessions',
    (mode) => {
      // A JavaScript caller or an old config: the option is no longer in the type.
      const error = refusal({ mode } as unknown as SessionOptions);
      expect(error.option).toBe('sessions.mode');
      expect(error.message).toContain('was removed');
      expect(error.message).toContain('createTokenService');
    },
  );
});

describe('the store option', () => {
  it('is checked whole at construction: a store missing any port method is refused, naming what is missing', () => {
    const store = memoryStore();
    const partial = new Proxy(store, {
      get: (target, property, receiver) =>
        property === 'countLoginAttempt' || property === 'ping'
          ? undefined
          : Reflect.get(target, property, receiver),
    });
    expect(() => createAuth({ signingKey: { alg: 'HS256', key: secret }, store: partial })).toThrow(
      /store.*missing: countLoginAttempt, ping/,
    );
    expect(() => createAuth({ signingKey: { alg: 'HS256', key: secret }, store })).not.toThrow();
  });

  it('refuses a store written before updateSession joined the port (issue 15.2), naming it', () => {
    const older = new Proxy(memoryStore(), {
      get: (target, property, receiver) =>
        property === 'updateSession' ? undefined : Reflect.get(target, property, receiver),
    });
    expect(() => createAuth({ signingKey: { alg: 'HS256', key: secret }, store: older })).toThrow(
      /store.*missing: updateSession$/,
    );
  });
});
