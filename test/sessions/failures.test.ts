import { AuthError, memoryStore, type RevocationEvent, type SessionStore } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { codeOf, makeAuth } from './fixtures.js';

/**
 * A store that works, then stops answering (hangs) or fails (throws) on demand. Like a real outage,
 * a broken store also loses its revocation channel (`'down'`), so no cache may be trusted.
 */
function faultyStore() {
  const inner = memoryStore();
  let mode: 'ok' | 'hang' | 'throw' = 'ok';
  const listeners = new Set<(signal: RevocationEvent | 'down' | 'up') => void>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'subscribe') {
        return (listener: (signal: RevocationEvent | 'down' | 'up') => void) => {
          listeners.add(listener);
          const unsubscribe = target.subscribe(listener);
          return () => {
            listeners.delete(listener);
            unsubscribe();
          };
        };
      }
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (mode === 'hang') return new Promise(() => {});
        if (mode === 'throw') return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as SessionStore;
  return {
    store,
    set(next: typeof mode) {
      mode = next;
      for (const listener of listeners) listener(next === 'ok' ? 'up' : 'down');
    },
  };
}

describe.each(['cached', 'strict'] as const)(
  'fail closed when the store cannot answer (revocation: %s)',
  (revocation) => {
    it('a hanging store yields 503 store_unavailable within the deadline, never a pass', async () => {
      const faulty = faultyStore();
      const { auth } = makeAuth({ sessions: { storeTimeout: '100ms', revocation } }, faulty.store);
      const pair = await auth.login({ subject: 'alice' });
      faulty.set('hang');
      const started = Date.now();
      expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('store_unavailable');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('store_unavailable');
      expect(await codeOf(auth.login({ subject: 'alice' }))).toBe('store_unavailable');
      expect(await codeOf(auth.checkStore())).toBe('store_unavailable');
    });

    it('a failing store yields store_unavailable, and a logout that was not stored is reported as failed', async () => {
      const faulty = faultyStore();
      const { auth } = makeAuth({ sessions: { revocation } }, faulty.store);
      const pair = await auth.login({ subject: 'alice' });
      const context = await auth.authenticate(pair.accessToken);
      faulty.set('throw');
      expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('store_unavailable');
      expect(await codeOf(auth.logout(context))).toBe('store_unavailable');
      expect(await codeOf(auth.logoutAll('alice'))).toBe('store_unavailable');
      faulty.set('ok');
      // Recovery without a restart; the failed logout did not end the session.
      await expect(auth.authenticate(pair.accessToken)).resolves.toMatchObject({
        subject: 'alice',
        sessionId: pair.sessionId,
      });
    });

    it('the refusal is 503 store_unavailable; its message has neither the store error text nor a token', async () => {
      const faulty = faultyStore();
      const { auth } = makeAuth({ sessions: { revocation } }, faulty.store);
      const pair = await auth.login({ subject: 'alice' });
      faulty.set('throw');
      const error = await auth.authenticate(pair.accessToken).then(
        () => undefined,
        (refusal: unknown) => refusal,
      );
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'store_unavailable', statusCode: 503, reason: 'store_error' });
      const { message } = error as AuthError;
      for (const secret of ['ECONNREFUSED', '6379', pair.accessToken.split('.')[2] ?? '', pair.sessionId]) {
        expect(message).not.toContain(secret);
      }
      // The store's own text stays available to the operator's log, as the cause.
      expect((error as AuthError).cause).toMatchObject({ message: 'ECONNREFUSED 127.0.0.1:6379' });
    });
  },
);
