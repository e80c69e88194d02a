import { isAuthError } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNodeRedis, type NodeRedisClient } from '../helpers/redis-client.js';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';
import { sessionRecord } from '../helpers/session-record.js';

/*
 * Issue 12, point 3: acknowledged revocations. With `revocationAcks: 1` every revoking step waits
 * (WAIT) until a replica holds it; with no replica to answer, it is refused (503) rather than
 * confirmed. A real master and a real replica (`--replicaof`).
 */

let master: RedisServer;
let replica: RedisServer;
let client: NodeRedisClient;
let prefixes = 0;

beforeAll(async () => {
  master = await startRedisServer();
  replica = await startRedisServer(['--replicaof', '127.0.0.1', String(master.port)]);
  await waitFor(
    async () => (await replica.command('INFO', 'replication')).includes('master_link_status:up'),
    10_000,
  );
  client = await connectNodeRedis(master.url);
});
afterAll(async () => {
  client?.destroy();
  await replica?.stop();
  await master?.stop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isAuthError(error) ? `${error.code}/${error.reason}` : String(error);
  }
}

describe('revocationAcks', () => {
  it('confirms each revoking step once a replica holds it, which the replica then shows', async () => {
    const store = redisStore({ client, prefix: `acks${++prefixes}:`, revocationAcks: 1 });
    const s = sessionRecord('alice');
    await store.createSession(s, { maxSessions: 0, now: s.createdAt });
    expect(await store.revokeSession('alice', s.id)).toBe(true);
    // Acknowledged means there: the replica already has no session string for alice.
    const keys = await replica.command('KEYS', `acks${prefixes}:*`);
    expect(keys).toBe('');
    await store.createSession(sessionRecord('bob'), { maxSessions: 0, now: Date.now() });
    expect(await store.revokeAllSessions('bob')).toBe(1);
    await store.setUserActive('carol', false, Date.now());
    await store.close();
  });

  it('refuses (store_unavailable, not_acknowledged) when no replica answers in time, and says so', async () => {
    const store = redisStore({
      client,
      prefix: `acks${++prefixes}:`,
      revocationAcks: 1,
      revocationAckTimeout: '200ms',
    });
    const s = sessionRecord('alice');
    await store.createSession(s, { maxSessions: 0, now: s.createdAt });
    await replica.stop();
    try {
      await waitFor(
        async () => (await master.command('INFO', 'replication')).includes('connected_slaves:0'),
        10_000,
      );
      expect(await codeOf(store.revokeSession('alice', s.id))).toBe('store_unavailable/not_acknowledged');
      expect(await codeOf(store.revokeAllSessions('alice'))).toBe('store_unavailable/not_acknowledged');
      // Steps that revoke nothing do not wait.
      expect(await codeOf(store.getSessionState('alice', s.id, Date.now()))).toBe('ok');
    } finally {
      await replica.start();
      await store.close();
    }
  });

  it('refuses unusable settings at construction', () => {
    expect(() => redisStore({ client, revocationAcks: -1 })).toThrow(/revocationAcks/);
    expect(() => redisStore({ client, revocationAcks: 1, revocationAckTimeout: 0 })).toThrow(
      /revocationAckTimeout/,
    );
  });
});
