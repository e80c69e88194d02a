import { describe, expect, it } from 'vitest';
import type { SlotHolder } from '../../src/sessions/session-cache.js';
import { cacheOnChannel, recordOf } from './fixtures.js';

/*
 * A verified token keeps its session's cache slot (`SlotHolder`), so that its next check reads one
 * object instead of two maps. A kept slot must never outlive what the cache knows: every way the
 * cache forgets or replaces a session makes the holder look it up again.
 */

const active = { active: true };

/** A cache with alice's session filled, and a holder that has taken its slot. */
function held(maxUsers = 10) {
  const setup = cacheOnChannel(maxUsers);
  setup.cache.fillSession(setup.cache.ticket(), 'alice', 'session-1', recordOf('alice', 'session-1'), active);
  const holder: SlotHolder = { session: undefined };
  expect(setup.cache.session('alice', 'session-1', 1_000, holder)?.session?.id).toBe('session-1');
  return { ...setup, holder };
}

describe('SessionCache slots kept by a holder', () => {
  it('are taken on the first check and answer the next ones as the maps would', () => {
    const { cache, holder } = held();
    expect(holder.session).toBeDefined();
    expect(cache.session('alice', 'session-1', 2_000, holder)).toStrictEqual(
      cache.session('alice', 'session-1', 2_000),
    );
    // Past the session's end the slot no longer answers (another instance may have extended it).
    expect(cache.session('alice', 'session-1', 100_000, holder)).toBeUndefined();
  });

  it('stop standing when the session is revoked, here or by another instance', () => {
    const here = held();
    here.cache.apply({ kind: 'session', userId: 'alice', sessionId: 'session-1', reason: 'logout' });
    expect(here.cache.session('alice', 'session-1', 1_000, here.holder)?.session).toBeNull();

    const elsewhere = held();
    elsewhere.emit({ kind: 'session', userId: 'alice', sessionId: 'session-1', reason: 'logout' });
    expect(elsewhere.cache.session('alice', 'session-1', 1_000, elsewhere.holder)?.session).toBeNull();
  });

  it("stop standing when all the user's sessions end or the user changes", () => {
    const { cache, emit, holder } = held();
    emit({ kind: 'user', userId: 'alice', reason: 'deactivated' });
    expect(cache.session('alice', 'session-1', 1_000, holder)).toBeUndefined();
  });

  it('stop standing when the revocation channel goes down, and stay gone when it is back', () => {
    const { cache, emit, holder } = held();
    emit('down');
    expect(cache.session('alice', 'session-1', 1_000, holder)).toBeUndefined();
    emit('up');
    expect(cache.session('alice', 'session-1', 1_000, holder)).toBeUndefined();
  });

  it('stop standing when their user is dropped as the oldest', () => {
    const { cache, holder } = held(1);
    cache.fillSession(cache.ticket(), 'bob', 'session-2', recordOf('bob', 'session-2'), active);
    expect(cache.session('alice', 'session-1', 1_000, holder)).toBeUndefined();
  });

  it('give way to a newer read of the same session', () => {
    const { cache, holder } = held();
    cache.fillSession(cache.ticket(), 'alice', 'session-1', recordOf('alice', 'session-1', 5_000), active);
    expect(cache.session('alice', 'session-1', 1_000, holder)?.session?.expiresAt).toBe(5_000);
    expect(cache.session('alice', 'session-1', 5_000, holder)).toBeUndefined();
  });

  it('see the touches this instance makes, and the user state of the latest read', () => {
    const { cache, holder } = held();
    cache.touched('alice', 'session-1', 1_500, 90_000);
    expect(cache.session('alice', 'session-1', 2_000, holder)?.session).toMatchObject({
      lastSeenAt: 1_500,
      idleExpiresAt: 90_000,
    });
    cache.fillSession(cache.ticket(), 'alice', 'session-2', recordOf('alice', 'session-2'), {
      active: false,
    });
    expect(cache.session('alice', 'session-1', 2_000, holder)?.user.active).toBe(false);
  });
});
