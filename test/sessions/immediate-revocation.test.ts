import { type Auth, type AuthContext, createAuth, memoryStore, type SessionStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../app/build-app.js';
import { loadConfig } from '../../app/config.js';
import { waitFor } from '../helpers/redis-server.js';
import { redisForFile, secret } from './fixtures.js';

/*
 * Issue 11, point 5: once a revoking call resolves, the instance that made it refuses the token at
 * once, without waiting for its own announcement to come back through Redis pub/sub. Checked with
 * `authenticateNow` right after the `await`, with no turn of the event loop in between (which is
 * what lets a message arrive), on real Redis with the local cache on.
 */

const redis = redisForFile();

const stores: Record<string, () => SessionStore> = {
  redis: () => redisStore({ client: redis.client, prefix: redis.prefix('now') }),
  memory: () => memoryStore(),
};

/** The code `authenticateNow` refuses with, synchronously or not; `ok` when it passes. */
async function outcome(auth: Auth, token: string): Promise<string> {
  try {
    const answer = auth.authenticateNow(token);
    if (answer instanceof Promise) await answer;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe.each(Object.keys(stores))('a revocation holds on its own instance at once (%s store)', (kind) => {
  function cachedAuth(maxSessions = 100): Auth {
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      store: stores[kind]?.() as SessionStore,
      sessions: { revocation: 'cached', maxSessions },
      users: { load: async (id) => ({ id }) },
    });
    return auth;
  }

  /**
   * A login whose session and user are in this instance's cache, so the next check needs no store
   * (the cache fills once the revocation channel is up).
   */
  async function cachedLogin(auth: Auth, subject = 'alice') {
    const pair = await auth.login({ subject });
    const context = await auth.authenticate(pair.accessToken);
    await waitFor(async () => {
      const answer = auth.authenticateNow(pair.accessToken);
      if (!(answer instanceof Promise)) return true;
      await answer;
      return false;
    });
    return { pair, context };
  }

  const revocations: Record<string, (auth: Auth, context: AuthContext) => Promise<unknown>> = {
    logout: (auth, context) => auth.logout(context),
    'logout-all': (auth, context) => auth.logoutAll(context.subject),
    'revokeSession (from another device)': (auth, context) =>
      auth.revokeSession(context.subject, context.sessionId ?? ''),
    deactivateUser: (auth, context) => auth.deactivateUser(context.subject),
  };

  for (const [name, revoke] of Object.entries(revocations)) {
    it(`${name}: the very next check refuses, and so do the 50 after it`, async () => {
      const auth = cachedAuth();
      const { pair, context } = await cachedLogin(auth);
      await revoke(auth, context);
      const answers = [];
      for (let n = 0; n < 51; n += 1) answers.push(await outcome(auth, pair.accessToken));
      expect(new Set(answers)).toEqual(
        new Set([name === 'deactivateUser' ? 'user_inactive' : 'token_revoked']),
      );
      await auth.close();
    });
  }

  it('logoutOthers: the other sessions are refused at once, the kept one still passes', async () => {
    const auth = cachedAuth();
    const kept = await cachedLogin(auth);
    const other = await cachedLogin(auth);
    expect(await auth.logoutOthers(kept.context)).toBe(1);
    expect(await outcome(auth, other.pair.accessToken)).toBe('token_revoked');
    expect(await outcome(auth, kept.pair.accessToken)).toBe('ok');
    await auth.close();
  });

  it('a login past maxSessions: the evicted session is refused at once', async () => {
    const auth = cachedAuth(1);
    const first = await cachedLogin(auth);
    await auth.login({ subject: 'alice' });
    expect(await outcome(auth, first.pair.accessToken)).toBe('token_revoked');
    await auth.close();
  });
});

describe('the reference app on Redis, driven in process (app.inject: no I/O between requests)', () => {
  it('answers 401 to every one of 50 requests right after a logout', async () => {
    const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', JWT_SECRET: secret, REDIS_URL: redis.url }));
    try {
      await waitFor(async () => (await app.inject({ url: '/healthz' })).statusCode === 200);
      const login = await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'alice', password: 'alice-pass' },
      });
      const headers = { authorization: `Bearer ${login.json().access_token}` };
      await waitFor(async () => (await app.inject({ url: '/me', headers })).statusCode === 200);
      expect((await app.inject({ method: 'POST', url: '/auth/logout', headers })).statusCode).toBe(204);
      const statuses = [];
      for (let n = 0; n < 50; n += 1) statuses.push((await app.inject({ url: '/me', headers })).statusCode);
      expect(statuses).toEqual(Array(50).fill(401));
    } finally {
      await app.close();
    }
  });
});
