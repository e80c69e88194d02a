import type { RevocationEvent, SessionStore } from '../stores/port.js';
import { randomId } from '../tokens/random-id.js';
import { type ContractFixture, eventually, listLimit, sleep } from './contract-helpers.js';

/**
 * User ids that try to escape their keys or records: hash-tag braces, glob characters, separators
 * (Redis's `:`, and the `,` of the packed records), Unicode.
 */
const hostileUserIds = [
  'a',
  'a}',
  '{a}',
  '{',
  '}',
  'a*',
  '*',
  '?',
  '[a]',
  'a:b',
  'a:s',
  ':',
  '',
  'ü🙂',
  'a\nb',
  ' ',
  'a,b',
  ',',
];

type Signal = RevocationEvent | 'down' | 'up';

/** Subscribes and keeps everything heard, for tests to wait on. */
function listen(store: SessionStore): { signals: Signal[]; stop: () => void; has: (s: Signal) => boolean } {
  const signals: Signal[] = [];
  const stop = store.subscribe((signal) => signals.push(signal));
  const has = (wanted: Signal) => signals.some((s) => JSON.stringify(s) === JSON.stringify(wanted));
  return { signals, stop, has };
}

/** User state, the cached profile, revocation events and hostile ids. */
export function registerUserContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  describe('setUserActive', () => {
    it('deactivating ends every session and reports the user inactive', async () => {
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      await f.store().createSession(f.session('alice'), { maxSessions: 0, now: f.t0() });
      await f.store().setUserActive('alice', false, f.t0());
      expect(await f.store().getSessionState('alice', session.id, f.t0())).toEqual({
        session: null,
        user: { active: false },
      });
      expect(await f.store().listSessions('alice', f.t0(), listLimit)).toEqual([]);
    });

    it('reactivating makes the user active again', async () => {
      await f.store().setUserActive('alice', false, f.t0());
      await f.store().setUserActive('alice', true, f.t0());
      expect((await f.store().getSessionState('alice', 'any', f.t0())).user).toEqual({ active: true });
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      expect((await f.store().getSessionState('alice', session.id, f.t0())).session?.id).toBe(session.id);
    });

    it('deactivating one user leaves the others alone', async () => {
      const bobs = f.session('bob');
      await f.store().createSession(bobs, { maxSessions: 0, now: f.t0() });
      await f.store().setUserActive('alice', false, f.t0());
      expect(await f.store().getSessionState('bob', bobs.id, f.t0())).toEqual({
        session: bobs,
        user: { active: true },
      });
    });
  });

  describe('the cached profile', () => {
    it('returns what was cached until deleted, and null for an unknown user', async () => {
      expect(await f.store().getCachedUser('alice')).toBe(null);
      const profile = JSON.stringify({ id: 'alice', name: 'Alice', roles: ['user'] });
      await f.store().setCachedUser('alice', profile, 60_000);
      expect(await f.store().getCachedUser('alice')).toBe(profile);
      expect(await f.store().getCachedUser('bob')).toBe(null);
      await f.store().deleteCachedUser('alice');
      expect(await f.store().getCachedUser('alice')).toBe(null);
    });

    it('forgets the profile after its ttl', async () => {
      await f.store().setCachedUser('alice', '{"v":1}', 100);
      await sleep(250);
      expect(await f.store().getCachedUser('alice')).toBe(null);
    });
  });

  describe('subscribe', () => {
    it('hears up, then every kind of revocation, from this instance', async () => {
      const heard = listen(f.store());
      try {
        await eventually(() => heard.has('up'), "'up'");
        expect(heard.signals[0]).toBe('up');
        const one = f.session('alice');
        const two = f.session('alice', { createdAt: f.t0() + 1 });
        const three = f.session('alice', { createdAt: f.t0() + 2 });
        await f.store().createSession(one, { maxSessions: 0, now: f.t0() });
        await f.store().createSession(two, { maxSessions: 0, now: f.t0() });
        await f.store().revokeSession('alice', one.id);
        await f.store().createSession(three, { maxSessions: 1, now: f.t0() + 2 });
        await f.store().rotateRefresh({
          userId: 'alice',
          sessionId: three.id,
          presentedJti: randomId(),
          nextJti: randomId(),
          now: f.t0() + 3,
          graceMs: 0,
          idleExpiresAt: f.t0() + 10_000,
        });
        await f.store().revokeAllSessions('bob');
        await f.store().setUserActive('carol', false, f.t0());
        await f.store().deleteCachedUser('dave');
        const expected: Signal[] = [
          { kind: 'session', userId: 'alice', sessionId: one.id, reason: 'logout' },
          { kind: 'session', userId: 'alice', sessionId: two.id, reason: 'limit' },
          { kind: 'session', userId: 'alice', sessionId: three.id, reason: 'reuse' },
          { kind: 'user', userId: 'bob', reason: 'logout-all' },
          { kind: 'user', userId: 'carol', reason: 'deactivated' },
          { kind: 'user', userId: 'dave', reason: 'profile' },
        ];
        await eventually(() => expected.every(heard.has), 'every revocation');
        // One user's events arrive in order; different users' need not (on a Cluster they are
        // published by different nodes).
        const events = heard.signals.filter((s) => s !== 'up');
        expect(events.length).toBe(expected.length);
        expect(events.filter((s) => typeof s === 'object' && s.userId === 'alice')).toEqual(
          expected.slice(0, 3),
        );
      } finally {
        heard.stop();
      }
    });

    it('stops after unsubscribing, while other listeners go on', async () => {
      const stopped = listen(f.store());
      const other = listen(f.store());
      try {
        await eventually(() => stopped.has('up') && other.has('up'), "'up'");
        stopped.stop();
        await f.store().deleteCachedUser('alice');
        await eventually(
          () => other.has({ kind: 'user', userId: 'alice', reason: 'profile' }),
          'the revocation',
        );
        expect(stopped.signals).toEqual(['up']);
      } finally {
        other.stop();
      }
    });
  });

  describe('user and session ids are data, never structure', () => {
    it('keeps hostile user ids apart', async () => {
      const sessions = hostileUserIds.map((userId) => f.session(userId, { id: `${userId}:{s}*,1,2,` }));
      for (const s of sessions) await f.store().createSession(s, { maxSessions: 0, now: f.t0() });
      for (const s of sessions) {
        expect((await f.store().listSessions(s.userId, f.t0(), listLimit)).map((x) => x.id)).toEqual([s.id]);
        expect(await f.store().getSessionState(s.userId, s.id, f.t0())).toEqual({
          session: s,
          user: { active: true },
        });
      }
      // Ending the sessions of 'a*' or '*' must not reach 'a' or anyone else.
      expect(await f.store().revokeAllSessions('*')).toBe(1);
      expect(await f.store().revokeAllSessions('a*')).toBe(1);
      await f.store().setUserActive('{a}', false, f.t0());
      for (const s of sessions) {
        const ended = ['*', 'a*', '{a}'].includes(s.userId);
        expect((await f.store().listSessions(s.userId, f.t0(), listLimit)).length).toBe(ended ? 0 : 1);
      }
      expect((await f.store().getSessionState('a', 'x', f.t0())).user).toEqual({ active: true });
      expect((await f.store().getSessionState('{a}', 'x', f.t0())).user).toEqual({ active: false });
    });

    it('finds a session only under its own user id', async () => {
      const session = f.session('a', { id: '*' });
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      for (const other of hostileUserIds.filter((u) => u !== 'a')) {
        expect((await f.store().getSessionState(other, '*', f.t0())).session).toBe(null);
        expect(await f.store().revokeSession(other, '*')).toBe(false);
      }
      expect((await f.store().getSessionState('a', '*', f.t0())).session).toEqual(session);
    });
  });

  describe('ping', () => {
    it('resolves while the store answers', async () => {
      expect(await f.store().ping()).toBe(undefined);
    });
  });
}
