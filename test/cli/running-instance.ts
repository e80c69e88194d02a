import { type Auth, createAuth, isAuthError, type RevocationEvent, type TokenPair } from 'authjwt';
import { type RedisClientLike, redisStore } from 'authjwt/redis';
import { expect } from 'vitest';
import { waitFor } from '../helpers/redis-server.js';

export interface RunningInstance {
  readonly auth: Auth;
  /** Every revocation event this instance has heard since it started. */
  readonly events: RevocationEvent[];
  login(subject: string): Promise<TokenPair>;
  close(): Promise<void>;
}

/**
 * An application's auth instance on a Redis store in cached revocation mode: its session checks are
 * answered from its local cache, which only the store's revocation channel invalidates (within the
 * cache's 60 s max age). Resolves once its channel is proven up, so the cache is in use.
 */
export async function startRunningInstance(client: RedisClientLike): Promise<RunningInstance> {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: 'cli-test-secret-with-enough-entropy-0123456789' },
    store: redisStore({ client }),
    sessions: { revocation: 'cached' },
  });
  const events: RevocationEvent[] = [];
  let up = false;
  auth.onRevocation((event) => {
    if (event === 'up') up = true;
    else if (event === 'down') up = false;
    else events.push(event);
  });
  await waitFor(() => up, 10_000);
  return {
    auth,
    events,
    login: (subject) => auth.login({ subject, userAgent: 'cli-test-agent', ip: '127.0.0.9' }),
    close: () => auth.close(),
  };
}

/** Authenticates twice and checks the second answer came from the local cache, not the store. */
export async function expectServedFromCache(auth: Auth, accessToken: string): Promise<void> {
  await auth.authenticate(accessToken);
  const before = auth.metrics().sessionCache.hits;
  await auth.authenticate(accessToken);
  expect(auth.metrics().sessionCache.hits).toBe(before + 1);
}

/** `'accepted'` when the call succeeds, else the code of the AuthError it was refused with. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (isAuthError(error)) return error.code;
    throw error;
  }
}
