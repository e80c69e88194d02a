import type { SessionRecord } from '../stores/port.js';
import { randomId } from '../tokens/random-id.js';
import { type ContractFixture, evictedBy, hour, listLimit } from './contract-helpers.js';

/** More sessions than a store keeps in its compact form (the Redis store switches past 16). */
const many = 40;

/**
 * A user with many sessions: every step still answers exactly, whatever layout the store switches to
 * for such a user; ending all or all but one of them; logins of a deactivated user.
 */
export function registerManySessionsContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  /** `count` sessions of alice created one millisecond apart, oldest first. */
  const createMany = async (count: number, maxSessions = 0): Promise<SessionRecord[]> => {
    const sessions: SessionRecord[] = [];
    for (let n = 0; n < count; n += 1) {
      const session = f.session('alice', { createdAt: f.t0() + n, ip: `10.0.0.${n}` });
      await f.store().createSession(session, { maxSessions, now: session.createdAt });
      sessions.push(session);
    }
    return sessions;
  };
  const liveIds = async (at = f.t0() + many) =>
    (await f.store().listSessions('alice', at, listLimit)).map((s) => s.id);

  describe('a user with many sessions', () => {
    it('reads, touches, rotates and ends each one exactly', async () => {
      const sessions = await createMany(many);
      const [first, second, third] = sessions;
      if (first === undefined || second === undefined || third === undefined) throw new Error('no sessions');
      for (const s of sessions) {
        expect((await f.store().getSessionState('alice', s.id, f.t0() + many)).session).toEqual(s);
      }
      const later = f.t0() + hour / 2;
      await f.store().touchSession('alice', first.id, later, later + hour);
      expect((await f.store().getSessionState('alice', first.id, f.t0() + hour - 1)).session).toEqual({
        ...first,
        lastSeenAt: later,
        idleExpiresAt: later + hour,
      });
      const nextJti = randomId();
      const rotated = await f.store().rotateRefresh({
        userId: 'alice',
        sessionId: second.id,
        presentedJti: second.refreshJti,
        nextJti,
        now: f.t0() + many,
        graceMs: 1000,
        idleExpiresAt: f.t0() + many + hour,
      });
      expect(rotated.outcome === 'rotated' && rotated.session.refreshJti).toBe(nextJti);
      expect(await f.store().revokeSession('alice', third.id)).toBe(true);
      expect((await f.store().getSessionState('alice', third.id, f.t0() + many)).session).toBe(null);
      const reused = await f.store().rotateRefresh({
        userId: 'alice',
        sessionId: second.id,
        presentedJti: second.refreshJti,
        nextJti: randomId(),
        now: f.t0() + many + 2000,
        graceMs: 1000,
        idleExpiresAt: f.t0() + many + hour,
      });
      expect(reused).toEqual({ outcome: 'reused' });
      const expected = sessions
        .filter((s) => s !== second && s !== third)
        .map((s) => s.id)
        .reverse();
      expect(await liveIds()).toEqual(expected);
    });

    it('lists the newest sessions first, at most the limit asked for', async () => {
      const sessions = await createMany(many);
      const listed = await f.store().listSessions('alice', f.t0() + many, 10);
      expect(listed.map((s) => s.id)).toEqual(
        sessions
          .slice(-10)
          .map((s) => s.id)
          .reverse(),
      );
    });

    it('keeps the newest maxSessions sessions and reports each evicted one', async () => {
      const sessions = await createMany(many, 30);
      expect(await liveIds()).toEqual(
        sessions
          .slice(-30)
          .map((s) => s.id)
          .reverse(),
      );
      const result = await f.store().createSession(f.session('alice', { createdAt: f.t0() + many }), {
        maxSessions: 30,
        now: f.t0() + many,
      });
      expect(evictedBy(result)).toEqual([sessions[many - 30]?.id]);
    });

    it('neither counts nor reports sessions that have ended', async () => {
      const ending = f.t0() + 100;
      for (let n = 0; n < 20; n += 1) {
        await f.store().createSession(f.session('alice', { createdAt: f.t0() + n, idleExpiresAt: ending }), {
          maxSessions: 25,
          now: f.t0() + n,
        });
      }
      await createMany(5, 25);
      const result = await f.store().createSession(f.session('alice', { createdAt: ending }), {
        maxSessions: 25,
        now: ending,
      });
      expect(evictedBy(result)).toEqual([]);
      expect((await liveIds(ending)).length).toBe(6);
      expect(await f.store().revokeAllSessions('alice')).toBe(6);
    });

    it('ends them all, counting the live ones, and starts afresh', async () => {
      await createMany(many);
      expect(await f.store().revokeAllSessions('alice')).toBe(many);
      expect(await liveIds()).toEqual([]);
      const again = f.session('alice');
      await f.store().createSession(again, { maxSessions: 0, now: f.t0() });
      expect(await liveIds()).toEqual([again.id]);
    });
  });

  describe('revokeOtherSessions', () => {
    for (const count of [3, many]) {
      it(`ends every session but the one named, of ${count}, and counts them`, async () => {
        const sessions = await createMany(count);
        const kept = sessions[1] as SessionRecord;
        const bobs = f.session('bob');
        await f.store().createSession(bobs, { maxSessions: 0, now: f.t0() });
        expect(await f.store().revokeOtherSessions('alice', kept.id)).toBe(count - 1);
        expect(await liveIds()).toEqual([kept.id]);
        expect((await f.store().getSessionState('alice', kept.id, f.t0() + count)).session).toEqual(kept);
        const rotated = await f.store().rotateRefresh({
          userId: 'alice',
          sessionId: kept.id,
          presentedJti: kept.refreshJti,
          nextJti: randomId(),
          now: f.t0() + count,
          graceMs: 0,
          idleExpiresAt: f.t0() + hour,
        });
        expect(rotated.outcome).toBe('rotated');
        expect((await f.store().getSessionState('bob', bobs.id, f.t0())).session).toEqual(bobs);
      });
    }

    it('ends every session when the one named is not live', async () => {
      await createMany(3);
      expect(await f.store().revokeOtherSessions('alice', 'no-such-session')).toBe(3);
      expect(await liveIds()).toEqual([]);
      expect(await f.store().revokeOtherSessions('nobody', 'no-such-session')).toBe(0);
    });
  });

  describe('createSession for a deactivated user', () => {
    it('refuses, storing nothing, until the user is active again', async () => {
      await f.store().setUserActive('alice', false, f.t0());
      const refused = f.session('alice');
      expect(await f.store().createSession(refused, { maxSessions: 0, now: f.t0() })).toEqual({
        outcome: 'user_inactive',
      });
      await f.store().setUserActive('alice', true, f.t0());
      expect((await f.store().getSessionState('alice', refused.id, f.t0())).session).toBe(null);
      expect(await liveIds()).toEqual([]);
    });

    it('leaves no session behind when logins race a deactivation', async () => {
      const logins = Array.from({ length: 20 }, () => f.session('alice'));
      const results = await Promise.all([
        ...logins.slice(0, 10).map((s) => f.store().createSession(s, { maxSessions: 0, now: f.t0() })),
        f.store().setUserActive('alice', false, f.t0()),
        ...logins.slice(10).map((s) => f.store().createSession(s, { maxSessions: 0, now: f.t0() })),
      ]);
      await f.store().setUserActive('alice', true, f.t0());
      // Each login either came before the deactivation (and was ended by it) or was refused.
      expect(await liveIds()).toEqual([]);
      expect(results.some((r) => typeof r === 'object' && r.outcome === 'user_inactive')).toBe(true);
    });
  });
}
