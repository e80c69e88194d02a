import type { SessionRecord } from '../stores/port.js';
import { randomId } from '../tokens/random-id.js';
import { type ContractFixture, hour, listLimit } from './contract-helpers.js';

/**
 * Device fields beyond ASCII (a Latin-1 header byte, a character outside the BMP): their lengths are
 * counted in UTF-16 units, and a store that splits the record by bytes would cut them wrong.
 */
const device = {
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Ünïcode-Browser/1.0 🦊 Safari/537.36',
  ip: '203.0.113.7',
  claims: { roles: ['user'], org: 'Zürich, "quoted" \\ ,.' },
};

const data = { device: { name: 'Work laptop 💻' }, trusted: true, note: 'line\nbreak, "quote" ,.' };

/** A session's application data, "remember me", `updateSession`, and the sighting of an ended session. */
export function registerSessionDataContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  const create = async (overrides: Partial<SessionRecord> = {}): Promise<SessionRecord> => {
    const session = f.session('alice', { ...device, ...overrides });
    await f.store().createSession(session, { maxSessions: 0, now: f.t0() });
    return session;
  };
  const read = async (id: string, at = f.t0()) => (await f.store().getSessionState('alice', id, at)).session;

  describe('session data and remember', () => {
    it('returns data and remember: false exactly as stored, by read and by listing', async () => {
      const session = await create({ data, remember: false });
      expect(await read(session.id)).toEqual(session);
      expect(await f.store().listSessions('alice', f.t0(), listLimit)).toEqual([session]);
    });

    it('keeps data and remember through a rotation and a touch', async () => {
      const session = await create({ data, remember: false });
      const rotated = await f.store().rotateRefresh({
        userId: 'alice',
        sessionId: session.id,
        presentedJti: session.refreshJti,
        nextJti: randomId(),
        now: f.t0() + 1,
        graceMs: 0,
        idleExpiresAt: f.t0() + hour,
      });
      expect(rotated.outcome).toBe('rotated');
      await f.store().touchSession('alice', session.id, f.t0() + 2, f.t0() + hour + 2);
      const after = await read(session.id, f.t0() + 2);
      expect([after?.data, after?.remember, after?.claims]).toEqual([data, false, device.claims]);
    });
  });

  describe('updateSession', () => {
    it('replaces the data and keeps everything else, including the claims and the device', async () => {
      const session = await create();
      const updated = await f.store().updateSession('alice', session.id, { data }, f.t0() + 1);
      expect(updated).toEqual({ ...session, data });
      expect(await read(session.id, f.t0() + 1)).toEqual({ ...session, data });
    });

    it('replaces the claims and keeps the data and remember', async () => {
      const session = await create({ data, remember: false });
      const claims = { roles: ['admin'], plan: 'pro' };
      expect(await f.store().updateSession('alice', session.id, { claims }, f.t0())).toEqual({
        ...session,
        claims,
      });
      expect(await read(session.id)).toEqual({ ...session, claims });
    });

    it('removes what is set to null, and leaves the short form behind when nothing is left', async () => {
      const session = await create({ data });
      await f.store().updateSession('alice', session.id, { data: null, claims: null }, f.t0());
      const { claims: _claims, data: _data, ...rest } = session;
      expect(await read(session.id)).toEqual(rest);
      await f.store().updateSession('alice', session.id, { claims: { roles: ['user'] } }, f.t0());
      expect(await read(session.id)).toEqual({ ...rest, claims: { roles: ['user'] } });
    });

    it('answers null for an unknown session, another user, or a session past its end', async () => {
      const session = await create();
      expect(await f.store().updateSession('alice', 'no-such-session', { data }, f.t0())).toBe(null);
      expect(await f.store().updateSession('bob', session.id, { data }, f.t0())).toBe(null);
      expect(await f.store().updateSession('alice', session.id, { data }, f.t0() + hour)).toBe(null);
      expect(await read(session.id, f.t0() + hour - 1)).toBe(null);
    });

    it('updates one session among many (past the compact form) and leaves the others alone', async () => {
      const sessions: SessionRecord[] = [];
      for (let n = 0; n < 20; n += 1) sessions.push(await create({ createdAt: f.t0() + n }));
      const target = sessions[7] as SessionRecord;
      expect(await f.store().updateSession('alice', target.id, { data }, f.t0() + 20)).toEqual({
        ...target,
        data,
      });
      const listed = await f.store().listSessions('alice', f.t0() + 20, listLimit);
      expect(listed.filter((s) => s.data !== undefined).map((s) => s.id)).toEqual([target.id]);
      expect(listed.length).toBe(20);
    });

    it('applies concurrent updates of data and of claims both (atomic in the store)', async () => {
      const session = await create();
      const claims = { roles: ['admin'] };
      await Promise.all([
        f.store().updateSession('alice', session.id, { data }, f.t0()),
        f.store().updateSession('alice', session.id, { claims }, f.t0()),
      ]);
      expect(await read(session.id)).toEqual({ ...session, claims, data });
    });
  });

  describe('ended sessions', () => {
    it('reports a session read just past its end, while still held, as ended', async () => {
      const session = await create({ data });
      await create({ expiresAt: f.t0() + 24 * hour, idleExpiresAt: f.t0() + 24 * hour });
      const state = await f.store().getSessionState('alice', session.id, f.t0() + hour);
      expect(state.session).toBe(null);
      expect(state.ended?.id).toBe(session.id);
      expect(state.ended?.idleExpiresAt).toBe(session.idleExpiresAt);
    });

    it('reports nothing ended for a live or an unknown session', async () => {
      const session = await create();
      expect((await f.store().getSessionState('alice', session.id, f.t0())).ended).toBe(undefined);
      expect((await f.store().getSessionState('alice', 'unknown', f.t0())).ended).toBe(undefined);
    });
  });
}
