import type { SessionRecord } from '../stores/port.js';
import { type ContractFixture, evictedBy, hour, listLimit } from './contract-helpers.js';

const device = {
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  ip: '203.0.113.7',
  claims: { roles: ['user', 'admin'], org: { id: 42, name: 'Ünïcode, "quoted" \\ ,.' } },
};

const activeUser = { active: true };

/** Creating, reading, touching, listing and ending sessions, and the per-user limit. */
export function registerSessionContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  describe('createSession and getSessionState', () => {
    it('returns a stored session exactly as given, with device metadata and claims', async () => {
      const session = f.session('alice', device);
      expect(await f.store().createSession(session, { maxSessions: 0, now: f.t0() })).toEqual({
        outcome: 'created',
        evicted: [],
      });
      expect(await f.store().getSessionState('alice', session.id, f.t0())).toEqual({
        session,
        user: activeUser,
      });
    });

    it('returns a session without the optional fields without inventing them', async () => {
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      expect(await f.store().getSessionState('alice', session.id, f.t0())).toEqual({
        session,
        user: activeUser,
      });
    });

    it('answers null and an active user for an unknown session and user', async () => {
      expect(await f.store().getSessionState('nobody', 'no-such-session', f.t0())).toEqual({
        session: null,
        user: activeUser,
      });
    });

    it('ends a session at its absolute end even while in use', async () => {
      const session = f.session('alice', { expiresAt: f.t0() + 2 * hour, idleExpiresAt: f.t0() + 3 * hour });
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      const before = await f.store().getSessionState('alice', session.id, f.t0() + 2 * hour - 1);
      expect(before.session?.id).toBe(session.id);
      expect((await f.store().getSessionState('alice', session.id, f.t0() + 2 * hour)).session).toBe(null);
    });

    it('ends an unused session at its idle expiry', async () => {
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      expect((await f.store().getSessionState('alice', session.id, f.t0() + hour - 1)).session?.id).toBe(
        session.id,
      );
      expect((await f.store().getSessionState('alice', session.id, f.t0() + hour)).session).toBe(null);
    });

    it("never shows one user's session under another user id", async () => {
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      expect((await f.store().getSessionState('bob', session.id, f.t0())).session).toBe(null);
    });
  });

  describe('the per-user limit (maxSessions)', () => {
    it('keeps every session with maxSessions 0', async () => {
      for (let n = 0; n < 5; n += 1) {
        const result = await f.store().createSession(f.session('alice', { createdAt: f.t0() + n }), {
          maxSessions: 0,
          now: f.t0() + n,
        });
        expect(evictedBy(result)).toEqual([]);
      }
      expect((await f.store().listSessions('alice', f.t0() + 10, listLimit)).length).toBe(5);
    });

    it('ends the older session with maxSessions 1 (a new login ends the others)', async () => {
      const first = f.session('alice');
      const second = f.session('alice', { createdAt: f.t0() + 1 });
      await f.store().createSession(first, { maxSessions: 1, now: f.t0() });
      expect(await f.store().createSession(second, { maxSessions: 1, now: f.t0() + 1 })).toEqual({
        outcome: 'created',
        evicted: [first.id],
      });
      expect((await f.store().getSessionState('alice', first.id, f.t0() + 1)).session).toBe(null);
      expect((await f.store().getSessionState('alice', second.id, f.t0() + 1)).session?.id).toBe(second.id);
    });

    it('keeps the newest N sessions and reports the evicted ones', async () => {
      const sessions = [3, 1, 4, 0, 2].map((n) => f.session('alice', { createdAt: f.t0() + n }));
      const evicted: string[] = [];
      for (const session of sessions) {
        const result = await f.store().createSession(session, { maxSessions: 3, now: session.createdAt });
        evicted.push(...evictedBy(result));
      }
      // Kept: each login stays, then the newest others. The last login (created at +2) ends +0 and +1.
      const listed = await f.store().listSessions('alice', f.t0() + 10, listLimit);
      expect(listed.map((s) => s.createdAt - f.t0())).toEqual([4, 3, 2]);
      expect(evicted.length).toBe(2);
      expect(new Set(evicted)).toEqual(
        new Set(sessions.filter((s) => s.createdAt - f.t0() < 2).map((s) => s.id)),
      );
    });

    it('does not count or report sessions that have already ended', async () => {
      const ended = f.session('alice', { idleExpiresAt: f.t0() + 10 });
      const live = f.session('alice', { createdAt: f.t0() + 1 });
      await f.store().createSession(ended, { maxSessions: 2, now: f.t0() });
      await f.store().createSession(live, { maxSessions: 2, now: f.t0() + 1 });
      const result = await f.store().createSession(f.session('alice', { createdAt: f.t0() + 20 }), {
        maxSessions: 2,
        now: f.t0() + 20,
      });
      expect(evictedBy(result)).toEqual([]);
      expect((await f.store().listSessions('alice', f.t0() + 20, listLimit)).length).toBe(2);
    });

    it('leaves exactly one live session after 20 concurrent logins with maxSessions 1', async () => {
      const sessions = Array.from({ length: 20 }, () => f.session('alice'));
      const results = await Promise.all(
        sessions.map((s) => f.store().createSession(s, { maxSessions: 1, now: f.t0() })),
      );
      const listed = await f.store().listSessions('alice', f.t0(), listLimit);
      expect(listed.length).toBe(1);
      const evicted = results.flatMap((r) => evictedBy(r));
      expect(evicted.length).toBe(19);
      expect(new Set([...evicted, listed[0]?.id])).toEqual(new Set(sessions.map((s) => s.id)));
    });

    it("does not count other users' sessions", async () => {
      await f.store().createSession(f.session('alice'), { maxSessions: 1, now: f.t0() });
      const result = await f.store().createSession(f.session('bob'), { maxSessions: 1, now: f.t0() });
      expect(evictedBy(result)).toEqual([]);
      expect((await f.store().listSessions('alice', f.t0(), listLimit)).length).toBe(1);
    });
  });

  describe('touchSession', () => {
    it('records use: lastSeenAt and a later idle expiry keep the session alive', async () => {
      const session = f.session('alice', device);
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      const later = f.t0() + hour / 2;
      await f.store().touchSession('alice', session.id, later, later + hour);
      const expected: SessionRecord = { ...session, lastSeenAt: later, idleExpiresAt: later + hour };
      expect((await f.store().getSessionState('alice', session.id, f.t0() + hour)).session).toEqual(expected);
    });

    it('never extends the idle expiry past the absolute end', async () => {
      const session = f.session('alice', { expiresAt: f.t0() + 2 * hour });
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      await f.store().touchSession('alice', session.id, f.t0() + 1, f.t0() + 5 * hour);
      const touched = await f.store().getSessionState('alice', session.id, f.t0() + 1);
      expect(touched.session?.idleExpiresAt).toBe(f.t0() + 2 * hour);
    });

    it('does not revive a session that has ended, nor create one', async () => {
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      await f.store().touchSession('alice', session.id, f.t0() + hour, f.t0() + 2 * hour);
      expect((await f.store().getSessionState('alice', session.id, f.t0() + hour)).session).toBe(null);
      await f.store().touchSession('alice', 'no-such-session', f.t0(), f.t0() + hour);
      expect(await f.store().listSessions('alice', f.t0(), listLimit)).toEqual([]);
    });
  });

  describe('listSessions', () => {
    it('lists the live sessions newest first and drops the ended ones', async () => {
      const oldest = f.session('alice', { createdAt: f.t0() - 3 });
      const ended = f.session('alice', { createdAt: f.t0() - 2, idleExpiresAt: f.t0() + 5 });
      const middle = f.session('alice', { createdAt: f.t0() - 1, ...device });
      const newest = f.session('alice');
      for (const s of [middle, ended, newest, oldest]) {
        await f.store().createSession(s, { maxSessions: 0, now: f.t0() });
      }
      expect(await f.store().listSessions('alice', f.t0() + 5, listLimit)).toEqual([newest, middle, oldest]);
      // Dropped, not hidden: an earlier `now` does not bring it back.
      expect((await f.store().listSessions('alice', f.t0(), listLimit)).length).toBe(3);
    });

    it('lists nothing for an unknown user', async () => {
      expect(await f.store().listSessions('nobody', f.t0(), listLimit)).toEqual([]);
    });
  });

  describe('revokeSession and revokeAllSessions', () => {
    it('ends one session, and only that one', async () => {
      const ended = f.session('alice');
      const kept = f.session('alice');
      await f.store().createSession(ended, { maxSessions: 0, now: f.t0() });
      await f.store().createSession(kept, { maxSessions: 0, now: f.t0() });
      expect(await f.store().revokeSession('alice', ended.id)).toBe(true);
      expect((await f.store().getSessionState('alice', ended.id, f.t0())).session).toBe(null);
      expect((await f.store().listSessions('alice', f.t0(), listLimit)).map((s) => s.id)).toEqual([kept.id]);
    });

    it('answers false for a session that is not live', async () => {
      const session = f.session('alice');
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      expect(await f.store().revokeSession('bob', session.id)).toBe(false);
      expect(await f.store().revokeSession('alice', 'no-such-session')).toBe(false);
      expect(await f.store().revokeSession('alice', session.id)).toBe(true);
      expect(await f.store().revokeSession('alice', session.id)).toBe(false);
    });

    it("ends all of a user's sessions and counts them, touching no one else", async () => {
      for (let n = 0; n < 3; n += 1)
        await f.store().createSession(f.session('alice'), { maxSessions: 0, now: f.t0() });
      const bobs = f.session('bob');
      await f.store().createSession(bobs, { maxSessions: 0, now: f.t0() });
      expect(await f.store().revokeAllSessions('alice')).toBe(3);
      expect(await f.store().listSessions('alice', f.t0(), listLimit)).toEqual([]);
      const state = await f.store().getSessionState('alice', 'any', f.t0());
      expect(state.user).toEqual(activeUser);
      expect(await f.store().getSessionState('bob', bobs.id, f.t0())).toEqual({
        session: bobs,
        user: activeUser,
      });
    });

    it("leaves the user's state as it was: a new login stands, a deactivated user stays so", async () => {
      expect(await f.store().revokeAllSessions('alice')).toBe(0);
      const again = f.session('alice');
      await f.store().createSession(again, { maxSessions: 0, now: f.t0() });
      expect((await f.store().getSessionState('alice', again.id, f.t0())).session?.id).toBe(again.id);
      await f.store().setUserActive('bob', false, f.t0());
      expect(await f.store().revokeAllSessions('bob')).toBe(0);
      expect((await f.store().getSessionState('bob', 'any', f.t0())).user).toEqual({ active: false });
    });
  });
}
