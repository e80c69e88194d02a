import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Auth, createAuth } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNodeRedis, type NodeRedisClient } from '../helpers/redis-client.js';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';

/*
 * Issue 12, point 3: restoring an older snapshot brings back the sessions ended after it, and no
 * store can tell (the data is consistent, only old). `sessions.notBefore` (the reference app's
 * SESSIONS_NOT_BEFORE) is the operator's lever that does not live in Redis. A real RDB file: SAVE,
 * logouts, the server stopped, the snapshot put back, the server started on it.
 */

const secret = 'restore-test-secret-0123456789abcdefXYZ';
const dir = mkdtempSync(join(tmpdir(), 'authjwt-restore-'));
let redis: RedisServer;
let client: NodeRedisClient;

beforeAll(async () => {
  redis = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
  client = await connectNodeRedis(redis.url);
});
afterAll(async () => {
  client?.destroy();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function authOn(notBefore?: number): Auth {
  return createAuth({
    signingKey: { alg: 'HS256', key: secret },
    store: redisStore({ client, prefix: 'restore:' }),
    sessions: { revocation: 'strict', ...(notBefore !== undefined && { notBefore }) },
  });
}

async function codeOf(auth: Auth, token: string): Promise<string> {
  try {
    await auth.authenticate(token);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('a restore of an older snapshot', () => {
  it('brings logged-out sessions back, and sessions.notBefore voids every session issued before it', async () => {
    const before = authOn();
    const alice = await before.login({ subject: 'alice' });
    const bob = await before.login({ subject: 'bob' });
    await client.sendCommand(['SAVE']);
    const snapshot = join(dir, 'snapshot.rdb');
    copyFileSync(join(dir, 'dump.rdb'), snapshot);
    await before.logout(alice.accessToken);
    await before.logoutAll('bob');
    expect(await codeOf(before, alice.accessToken)).toBe('token_revoked');
    expect(await codeOf(before, bob.accessToken)).toBe('token_revoked');
    await before.close();

    // The operator's bad day: the server restarted on the older snapshot.
    await redis.stop();
    copyFileSync(snapshot, join(dir, 'dump.rdb'));
    await redis.start();
    await waitFor(async () => String(await client.sendCommand(['PING'])) === 'PONG', 10_000);

    const restored = authOn();
    expect(await codeOf(restored, alice.accessToken)).toBe('ok');
    expect(await codeOf(restored, bob.accessToken)).toBe('ok');
    await restored.close();

    const restoredAt = Math.ceil(Date.now() / 1000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const guarded = authOn(restoredAt);
    expect(await codeOf(guarded, alice.accessToken)).toBe('token_revoked');
    expect(await codeOf(guarded, bob.accessToken)).toBe('token_revoked');
    expect(await guarded.listSessions('alice')).toEqual([]);
    await expect(guarded.refresh(alice.refreshToken)).rejects.toMatchObject({ code: 'token_revoked' });
    // New sessions are untouched.
    const again = await guarded.login({ subject: 'alice' });
    expect(await codeOf(guarded, again.accessToken)).toBe('ok');
    await guarded.close();
  });
});
