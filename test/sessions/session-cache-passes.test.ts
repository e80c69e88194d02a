import { describe, expect, it } from 'vitest';
import type { SlotHolder } from '../../src/sessions/session-cache.js';
import { cacheOnChannel, recordOf } from './fixtures.js';

/*
 * A token whose last check passed may pass again without the check being made (`grantPass`): the
 * steady state then reads only the slot it holds. A pass must never outlive what the check read:
 * every way the cache forgets, replaces or rereads a session or its user takes it away, and it ends
 * no later than the slot itself could be served.
 */

const active = { active: true };

/** A cache (entries good for 60 s from 1,000 ms) with alice's session checked and passed until `until`. */
function passed(until = 50_000, maxUsers = 10) {
  const setup = cacheOnChannel(maxUsers);
  setup.cache.fillSession(setup.cache.ticket(), 'alice', 'session-1', recordOf('alice', 'session-1'), active);
  const holder: SlotHolder = { session: undefined };
  expect(setup.cache.session('alice', 'session-1', 1_000, holder)).toBeDefined();
  setup.cache.grantPass(holder, until, 100_000);
  expect(setup.cache.passed(holder, 1_000)).toBe(100_000);
  return { ...setup, holder };
}

describe('SessionCache passes', () => {
  it('answer with the session end the check found, until the time given', () => {
    const { cache, holder } = passed(50_000);
    expect(cache.passed(holder, 49_999)).toBe(100_000);
    expect(cache.passed(holder, 50_000)).toBeUndefined();
  });

  it('end no later than the slot could be served: its age, the session expiry here', () => {
    // Entries are good for 60 s from 1,000 ms.
    const aged = passed(Number.POSITIVE_INFINITY);
    expect(aged.cache.passed(aged.holder, 60_999)).toBe(100_000);
    expect(aged.cache.passed(aged.holder, 61_000)).toBeUndefined();

    const { cache } = cacheOnChannel();
    const holder: SlotHolder = { session: undefined };
    cache.fillSession(cache.ticket(), 'alice', 'session-1', recordOf('alice', 'session-1', 5_000), active);
    cache.session('alice', 'session-1', 1_000, holder);
    cache.grantPass(holder, Number.POSITIVE_INFINITY, 5_000);
    expect(cache.passed(holder, 4_999)).toBe(5_000);
    expect(cache.passed(holder, 5_000)).toBeUndefined();
  });

  it('are not granted for a session known to be ended, nor without a slot', () => {
    const { cache, emit } = cacheOnChannel();
    cache.fillSession(cache.ticket(), 'alice', 'session-1', recordOf('alice', 'session-1'), active);
    emit({ kind: 'session', userId: 'alice', sessionId: 'session-1', reason: 'logout' });
    const holder: SlotHolder = { session: undefined };
    expect(cache.session('alice', 'session-1', 1_000, holder)?.session).toBeNull();
    cache.grantPass(holder, 50_000, 100_000);
    expect(cache.passed(holder, 1_000)).toBeUndefined();

    const empty: SlotHolder = { session: undefined };
    cache.grantPass(empty, 50_000, 100_000);
    expect(cache.passed(empty, 1_000)).toBeUndefined();
  });

  it('end when the session is revoked, here or by another instance', () => {
    const here = passed();
    here.cache.apply({ kind: 'session', userId: 'alice', sessionId: 'session-1', reason: 'logout' });
    expect(here.cache.passed(here.holder, 1_000)).toBeUndefined();

    const elsewhere = passed();
    elsewhere.emit({ kind: 'session', userId: 'alice', sessionId: 'session-1', reason: 'logout' });
    expect(elsewhere.cache.passed(elsewhere.holder, 1_000)).toBeUndefined();
  });

  it("end when all the user's sessions end or the user changes", () => {
    const { cache, emit, holder } = passed();
    emit({ kind: 'user', userId: 'alice', reason: 'deactivated' });
    expect(cache.passed(holder, 1_000)).toBeUndefined();
  });

  it('end when the revocation channel goes down, and stay gone when it is back', () => {
    const { cache, emit, holder } = passed();
    emit('down');
    expect(cache.passed(holder, 1_000)).toBeUndefined();
    emit('up');
    expect(cache.passed(holder, 1_000)).toBeUndefined();
  });

  it('end when their user is dropped as the oldest, or the cache closes', () => {
    const dropped = passed(50_000, 1);
    dropped.cache.fillSession(
      dropped.cache.ticket(),
      'bob',
      'session-2',
      recordOf('bob', 'session-2'),
      active,
    );
    expect(dropped.cache.passed(dropped.holder, 1_000)).toBeUndefined();

    const closed = passed();
    closed.cache.close();
    expect(closed.cache.passed(closed.holder, 1_000)).toBeUndefined();
  });

  it("end with a newer read of the same session, or of the user's state through another session", () => {
    const same = passed();
    same.cache.fillSession(same.cache.ticket(), 'alice', 'session-1', recordOf('alice', 'session-1'), active);
    expect(same.cache.passed(same.holder, 1_000)).toBeUndefined();

    const other = passed();
    other.cache.fillSession(other.cache.ticket(), 'alice', 'session-2', recordOf('alice', 'session-2'), {
      active: false,
    });
    expect(other.cache.passed(other.holder, 1_000)).toBeUndefined();
  });

  it("outlast what does not concern them: another user's reads and revocations", () => {
    const { cache, emit, holder } = passed();
    cache.fillSession(cache.ticket(), 'bob', 'session-2', recordOf('bob', 'session-2'), active);
    emit({ kind: 'user', userId: 'bob', reason: 'logout-all' });
    emit({ kind: 'session', userId: 'alice', sessionId: 'session-3', reason: 'logout' });
    expect(cache.passed(holder, 1_000)).toBe(100_000);
  });
});
