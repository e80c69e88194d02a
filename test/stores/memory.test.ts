import { AuthConfigError } from 'authjwt';
import { runSessionStoreContract } from 'authjwt/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/stores/memory.js';

runSessionStoreContract('memory', async () => ({ store: memoryStore(), cleanup: async () => {} }), {
  describe,
  it,
  expect,
  beforeEach,
  afterEach,
});

describe('memoryStore', () => {
  it('runs the profile cache on the injected clock', async () => {
    let now = 1_000_000;
    const store = memoryStore({ clock: () => now });
    await store.setCachedUser('alice', '{}', 1000);
    now += 999;
    expect(await store.getCachedUser('alice')).toBe('{}');
    now += 1;
    expect(await store.getCachedUser('alice')).toBe(null);
  });

  it('forgets user state after userStateTtl', async () => {
    let now = 1_000_000;
    const store = memoryStore({ clock: () => now, userStateTtl: 60 });
    await store.setUserActive('alice', false, now);
    now += 59_999;
    expect((await store.getSessionState('alice', 'x', now)).user).toEqual({ active: false });
    now += 1;
    expect((await store.getSessionState('alice', 'x', now)).user).toEqual({ active: true });
  });

  it('works with session times from a clock of its own (the session layer may inject one)', async () => {
    const store = memoryStore();
    const session = {
      id: 's',
      userId: 'alice',
      createdAt: 0,
      lastSeenAt: 0,
      expiresAt: 100,
      idleExpiresAt: 50,
      refreshJti: 'r',
    };
    await store.createSession(session, { maxSessions: 0, now: 0 });
    expect((await store.getSessionState('alice', 's', 49)).session).toEqual(session);
    expect(await store.revokeSession('alice', 's')).toBe(true);
  });

  it('refuses bad options at construction, naming the option', () => {
    expect(() => memoryStore({ userStateTtl: -1 })).toThrow(AuthConfigError);
    expect(() => memoryStore({ userStateTtl: 'soon' })).toThrow(/userStateTtl/);
    expect(() => memoryStore({ clock: 5 as unknown as () => number })).toThrow(/clock/);
  });
});
