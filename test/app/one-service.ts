import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { authenticatedSocket, login } from '../ws/client.js';
import { call, type Reply, type RunningApp } from './start-app.js';

/**
 * The contract's promise for several instances on one Redis, whatever its topology: they are one
 * service. `instances` are two apps started with the same Redis and keys; `flush` empties that Redis,
 * so every test starts from the seeded directory.
 */
/** The first answer that is not a 200, asking again until `timeoutMs` has passed (then the last answer). */
async function refusedWithin(timeoutMs: number, ask: () => Promise<Reply>): Promise<Reply> {
  const deadline = performance.now() + timeoutMs;
  let reply = await ask();
  while (reply.status === 200 && performance.now() < deadline) {
    await sleep(5);
    reply = await ask();
  }
  return reply;
}

export function describeOneService(
  title: string,
  instances: () => readonly [RunningApp, RunningApp],
  flush: () => Promise<void>,
): void {
  describe(title, () => {
    beforeEach(flush);

    it('a login on A is honoured on B; a logout on B is refused on A', async () => {
      const [a, b] = instances();
      const alice = await login(a.url, 'alice');
      expect((await call(b.url, 'GET', '/me', { token: alice.accessToken })).body).toMatchObject({
        username: 'alice',
        session_id: alice.sessionId,
      });
      expect((await call(b.url, 'POST', '/auth/logout', { token: alice.accessToken })).status).toBe(204);
      // A learns it through the store's revocation channel: within a few milliseconds (bench:revocation
      // measures p99 5 ms), not before B's answer, so a request racing the message may still pass.
      const refused = await refusedWithin(1000, () =>
        call(a.url, 'GET', '/me', { token: alice.accessToken }),
      );
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('token_revoked');
      expect((await call(a.url, 'POST', '/auth/refresh', { token: alice.refreshToken })).body.code).toBe(
        'token_revoked',
      );
    });

    it('a WebSocket on A is closed with 4401 when its session ends on B', async () => {
      const [a, b] = instances();
      const alice = await login(a.url, 'alice');
      const socket = await authenticatedSocket(a.url, alice.accessToken);
      expect((await call(b.url, 'POST', '/auth/logout', { token: alice.accessToken })).status).toBe(204);
      const closed = await Promise.race([socket.closed, sleep(5000).then(() => undefined)]);
      expect(closed?.code).toBe(4401);
    });

    it('a password change on A holds on B: the old password is refused there, the new one works, other sessions end', async () => {
      const [a, b] = instances();
      const changing = await login(a.url, 'bob');
      const other = await login(b.url, 'bob');
      const changed = await call(a.url, 'POST', '/account/password', {
        token: changing.accessToken,
        body: { new_password: 'bob-new-pass' },
      });
      expect(changed.status).toBe(204);
      const old = await call(b.url, 'POST', '/auth/login', {
        body: { username: 'bob', password: 'bob-pass' },
      });
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('invalid_credentials');
      const fresh = await call(b.url, 'POST', '/auth/login', {
        body: { username: 'bob', password: 'bob-new-pass' },
      });
      expect(fresh.status).toBe(200);
      expect((await call(b.url, 'GET', '/me', { token: other.accessToken })).body.code).toBe('token_revoked');
      expect((await call(b.url, 'GET', '/me', { token: changing.accessToken })).status).toBe(200);
    });
  });
}
