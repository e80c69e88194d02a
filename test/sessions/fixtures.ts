import { type AuthOptions, createAuth, memoryStore, type SessionStore } from 'authjwt';

export const secret = 'session-tests-secret-0123456789abcdef';

/** A clock the test moves by hand, in milliseconds. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

export function makeAuth(options: Partial<AuthOptions> = {}, given?: SessionStore) {
  const clock = manualClock();
  const store = given ?? memoryStore({ clock: clock.now });
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, clock: clock.now, store, ...options });
  return { auth, clock, store };
}

/** The error code a promise rejects with. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
