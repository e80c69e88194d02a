import { AuthConfigError, createAuth, memoryStore } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { secret } from './fixtures.js';

/*
 * Issue 11, point 8: a store whose user state (a deactivation) expires before the user's longest
 * session or refresh token would let that user back in once it forgets. Refused when the auth
 * instance is made, naming the store's option.
 */

const signingKey = { alg: 'HS256' as const, key: secret };
// Never connected: the check is made at construction, before any command.
const client = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true });

function refusal(make: () => unknown): string | undefined {
  try {
    make();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return (error as AuthConfigError).option;
  }
}

describe('the store must keep user state longer than any session or refresh token lasts', () => {
  const stores = {
    redis: (userStateTtl: string) => redisStore({ client, userStateTtl }),
    memory: (userStateTtl: string) => memoryStore({ userStateTtl }),
  };

  for (const [name, store] of Object.entries(stores)) {
    it(`refuses a ${name} store that forgets user state before the refresh token lifetime ends`, () => {
      expect(refusal(() => createAuth({ signingKey, refreshTtl: '14d', store: store('1d') }))).toBe(
        'userStateTtl',
      );
    });

    it(`refuses a ${name} store that forgets it before a session's absolute lifetime ends`, () => {
      const sessions = { absoluteLifetime: '60d' };
      expect(refusal(() => createAuth({ signingKey, refreshTtl: '1d', sessions, store: store('30d') }))).toBe(
        'userStateTtl',
      );
    });

    it(`accepts a ${name} store that keeps it at least as long`, () => {
      expect(refusal(() => createAuth({ signingKey, refreshTtl: '14d', store: store('14d') }))).toBe(
        undefined,
      );
      expect(refusal(() => createAuth({ signingKey, store: store('30d') }))).toBe(undefined);
    });
  }
});
