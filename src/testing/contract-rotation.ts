import type { RotateRefreshInput, SessionRecord } from '../stores/port.js';
import { randomId } from '../tokens/random-id.js';
import { type ContractFixture, hour } from './contract-helpers.js';

const second = 1000;

/** Refresh rotation with reuse detection (RFC 9700 section 4.14.2), alone and under concurrency. */
export function registerRotationContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  const start = async (): Promise<SessionRecord> => {
    const session = f.session('alice', {
      userAgent: 'curl/8.5',
      ip: '2001:db8::1',
      claims: { roles: ['user'] },
    });
    await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
    return session;
  };
  const rotation = (session: SessionRecord, presentedJti: string, at: number, graceMs = 10 * second) =>
    ({
      userId: session.userId,
      sessionId: session.id,
      presentedJti,
      nextJti: randomId(),
      now: at,
      graceMs,
      idleExpiresAt: at + hour,
    }) satisfies RotateRefreshInput;

  describe('rotateRefresh', () => {
    it('rotates the live token: the next one is live, the presented one spent', async () => {
      const session = await start();
      const input = rotation(session, session.refreshJti, f.t0() + 5 * second);
      const expected: SessionRecord = {
        ...session,
        refreshJti: input.nextJti,
        previousRefreshJti: session.refreshJti,
        rotatedAt: input.now,
        lastSeenAt: input.now,
        idleExpiresAt: input.now + hour,
      };
      expect(await f.store().rotateRefresh(input)).toEqual({ outcome: 'rotated', session: expected });
      expect((await f.store().getSessionState('alice', session.id, input.now)).session).toEqual(expected);
    });

    it('caps the new idle expiry at the absolute end', async () => {
      const session = f.session('alice', { expiresAt: f.t0() + hour / 2 });
      await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
      const result = await f.store().rotateRefresh(rotation(session, session.refreshJti, f.t0() + 1));
      expect(result.outcome === 'rotated' && result.session.idleExpiresAt).toBe(f.t0() + hour / 2);
    });

    it('answers the spent token within the grace window with the live token id, changing nothing', async () => {
      const session = await start();
      const first = rotation(session, session.refreshJti, f.t0() + 5 * second);
      const rotated = await f.store().rotateRefresh(first);
      const replay = rotation(session, session.refreshJti, first.now + 10 * second - 1);
      const answer = await f.store().rotateRefresh(replay);
      expect(answer).toEqual({
        outcome: 'grace',
        session: rotated.outcome === 'rotated' ? rotated.session : null,
      });
      expect(answer.outcome === 'grace' && answer.session.refreshJti).toBe(first.nextJti);
      const state = await f.store().getSessionState('alice', session.id, replay.now);
      expect(state.session?.refreshJti).toBe(first.nextJti);
    });

    it('treats the spent token after the grace window as theft and ends the session', async () => {
      const session = await start();
      const first = rotation(session, session.refreshJti, f.t0() + 5 * second);
      await f.store().rotateRefresh(first);
      const replay = rotation(session, session.refreshJti, first.now + 10 * second);
      expect(await f.store().rotateRefresh(replay)).toEqual({ outcome: 'reused' });
      expect((await f.store().getSessionState('alice', session.id, replay.now)).session).toBe(null);
      // The thief's successor token dies with the session.
      expect(await f.store().rotateRefresh(rotation(session, first.nextJti, replay.now))).toEqual({
        outcome: 'missing',
      });
    });

    it('treats the spent token as theft at once when there is no grace window', async () => {
      const session = await start();
      await f.store().rotateRefresh(rotation(session, session.refreshJti, f.t0() + 1, 0));
      expect(await f.store().rotateRefresh(rotation(session, session.refreshJti, f.t0() + 1, 0))).toEqual({
        outcome: 'reused',
      });
    });

    it('treats a token id the session never issued as theft', async () => {
      const session = await start();
      expect(await f.store().rotateRefresh(rotation(session, randomId(), f.t0() + 1))).toEqual({
        outcome: 'reused',
      });
      expect((await f.store().getSessionState('alice', session.id, f.t0() + 1)).session).toBe(null);
    });

    it('treats a token two rotations old as theft, even within the grace window', async () => {
      const session = await start();
      const first = rotation(session, session.refreshJti, f.t0() + 1);
      await f.store().rotateRefresh(first);
      await f.store().rotateRefresh(rotation(session, first.nextJti, f.t0() + 2));
      expect(await f.store().rotateRefresh(rotation(session, session.refreshJti, f.t0() + 3))).toEqual({
        outcome: 'reused',
      });
    });

    it('answers missing for an unknown, ended or foreign session, changing nothing', async () => {
      const session = await start();
      const unknown = { ...rotation(session, session.refreshJti, f.t0() + 1), sessionId: 'no-such-session' };
      expect(await f.store().rotateRefresh(unknown)).toEqual({ outcome: 'missing' });
      const foreign = { ...rotation(session, session.refreshJti, f.t0() + 1), userId: 'bob' };
      expect(await f.store().rotateRefresh(foreign)).toEqual({ outcome: 'missing' });
      expect(await f.store().rotateRefresh(rotation(session, session.refreshJti, f.t0() + hour))).toEqual({
        outcome: 'missing',
      });
    });

    it('has exactly one winner among 50 concurrent refreshes with one token and no grace window', async () => {
      const session = await start();
      const inputs = Array.from({ length: 50 }, () => rotation(session, session.refreshJti, f.t0() + 1, 0));
      const outcomes = (await Promise.all(inputs.map((i) => f.store().rotateRefresh(i)))).map(
        (r) => r.outcome,
      );
      expect(outcomes.filter((o) => o === 'rotated').length).toBe(1);
      // The first replay is theft and ends the session; the replays after it find no session.
      expect(outcomes.filter((o) => o === 'reused').length >= 1).toBe(true);
      expect(outcomes.filter((o) => o !== 'rotated' && o !== 'reused' && o !== 'missing')).toEqual([]);
      expect((await f.store().getSessionState('alice', session.id, f.t0() + 1)).session).toBe(null);
    });

    it('keeps the session and one live token id under 50 concurrent refreshes within the grace window', async () => {
      const session = await start();
      const inputs = Array.from({ length: 50 }, () => rotation(session, session.refreshJti, f.t0() + 1));
      const results = await Promise.all(inputs.map((i) => f.store().rotateRefresh(i)));
      const winners = results.flatMap((r, n) => (r.outcome === 'rotated' ? [inputs[n]?.nextJti] : []));
      expect(winners.length).toBe(1);
      expect(results.filter((r) => r.outcome === 'grace').length).toBe(49);
      for (const r of results) if (r.outcome === 'grace') expect(r.session.refreshJti).toBe(winners[0]);
      const state = await f.store().getSessionState('alice', session.id, f.t0() + 1);
      expect(state.session?.refreshJti).toBe(winners[0]);
    });
  });
}
