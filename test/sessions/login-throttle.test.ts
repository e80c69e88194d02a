import { AuthError, isAuthError } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { authErrorResponse } from '../../src/http/error-response.js';
import { codeOf, makeAuth } from './fixtures.js';

/*
 * Issue 11, point 3, the library side: auth.throttleLogin around the application's credential check.
 * The store's counters are tested by the store contract (src/testing/contract-login-attempts.ts).
 */

const alice = { account: 'alice', client: '203.0.113.7' };
const found = { id: 'alice' };

describe('auth.throttleLogin', () => {
  it('refuses with too_many_attempts past maxFailures, even for the right password, without running the check', async () => {
    const { auth } = makeAuth({ loginThrottle: { maxFailures: 3, window: '10m' } });
    for (let n = 0; n < 3; n += 1) {
      expect(await codeOf(auth.throttleLogin(alice, async () => null))).toBe('invalid_credentials');
    }
    let checked = false;
    const refusal = await auth
      .throttleLogin(alice, async () => {
        checked = true;
        return found;
      })
      .catch((error: unknown) => error);
    expect(isAuthError(refusal) && refusal.code).toBe('too_many_attempts');
    expect((refusal as AuthError).statusCode).toBe(429);
    const retryAfter = (refusal as AuthError).retryAfter ?? 0;
    expect(retryAfter > 590 && retryAfter <= 600).toBe(true);
    expect(checked).toBe(false);
  });

  it('a success clears the account’s failures at that client', async () => {
    const { auth } = makeAuth({ loginThrottle: { maxFailures: 3 } });
    for (let n = 0; n < 2; n += 1) await codeOf(auth.throttleLogin(alice, async () => undefined));
    expect(await auth.throttleLogin(alice, async () => found)).toBe(found);
    for (let n = 0; n < 3; n += 1) {
      expect(await codeOf(auth.throttleLogin(alice, async () => null))).toBe('invalid_credentials');
    }
    expect(await codeOf(auth.throttleLogin(alice, async () => found))).toBe('too_many_attempts');
  });

  it('limits a client across accounts at maxFailuresPerClient (default ten times maxFailures)', async () => {
    const { auth } = makeAuth({ loginThrottle: { maxFailures: 2 } });
    for (let n = 0; n < 20; n += 1) {
      const attempt = { account: `user-${n}`, client: alice.client };
      expect(await codeOf(auth.throttleLogin(attempt, async () => null))).toBe('invalid_credentials');
    }
    const another = { account: 'user-99', client: alice.client };
    expect(await codeOf(auth.throttleLogin(another, async () => found))).toBe('too_many_attempts');
    expect(await auth.throttleLogin({ ...another, client: '198.51.100.1' }, async () => found)).toBe(found);
  });

  it('fails closed: a store that cannot count answers store_unavailable, and the check does not run', async () => {
    const { auth, store } = makeAuth({ sessions: { storeTimeout: '50ms' } });
    store.countLoginAttempt = () => new Promise(() => {});
    let checked = false;
    const attempt = auth.throttleLogin(alice, async () => {
      checked = true;
      return found;
    });
    expect(await codeOf(attempt)).toBe('store_unavailable');
    expect(checked).toBe(false);
  });

  it('refuses unusable limits at construction', () => {
    for (const loginThrottle of [
      { maxFailures: 0 },
      { maxFailures: 1.5 },
      { maxFailures: 5, maxFailuresPerClient: 4 },
      { window: '2d' },
    ]) {
      expect(() => makeAuth({ loginThrottle })).toThrow(/loginThrottle\./);
    }
  });

  it('is answered 429 with Retry-After and no challenge', () => {
    const response = authErrorResponse(new AuthError('too_many_attempts', { retryAfter: 42.2 }));
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('43');
    expect(response.headers['www-authenticate']).toBe(undefined);
    expect(response.body.code).toBe('too_many_attempts');
  });
});
