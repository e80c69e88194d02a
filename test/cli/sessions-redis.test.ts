import { isAuthError } from 'authjwt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectNodeRedis, type NodeRedisClient } from '../helpers/redis-client.js';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';
import { json, runCli } from './run-cli.js';
import { expectServedFromCache, type RunningInstance, startRunningInstance } from './running-instance.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

let redis: RedisServer;
let client: NodeRedisClient;
let app: RunningInstance;

beforeAll(async () => {
  redis = await startRedisServer();
  client = await connectNodeRedis(redis.url);
  app = await startRunningInstance(client);
});

afterAll(async () => {
  await app?.close();
  client?.destroy();
  await redis?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAuthError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('sessions and users against one Redis server, through the real binary', () => {
  it("lists a user's live sessions newest first with what an operator needs, and nothing of their tokens", async () => {
    const first = await app.login('list-user');
    const second = await app.login('list-user');
    const run = await runCli(['sessions', 'list', 'list-user', '--redis', redis.url, '--json']);
    expect(run.code).toBe(0);
    const listing = json<{ userId: string; sessions: Record<string, unknown>[] }>(run);
    expect(listing.userId).toBe('list-user');
    const ids = [second, first].map((pair) => app.auth.tokens.verifyAccessToken(pair.accessToken).sid);
    expect(listing.sessions.map((session) => session.id)).toEqual(ids);
    expect(Object.keys(listing.sessions[0] ?? {}).sort()).toEqual([
      'createdAt',
      'expiresAt',
      'id',
      'ip',
      'lastSeenAt',
      'userAgent',
    ]);
    expect(listing.sessions[0]).toMatchObject({ ip: '127.0.0.9', userAgent: 'cli-test-agent' });
    for (const pair of [first, second]) {
      const refreshJti = app.auth.tokens.verifyRefreshToken(pair.refreshToken).jti;
      expect(run.stdout).not.toContain(refreshJti);
    }
    const text = await runCli(['sessions', 'list', 'list-user', '--redis', redis.url]);
    expect(text.stdout).toContain('2 live sessions, newest first');
    expect(text.stdout).toContain(ids[0]);
  });

  it('revokes one session, which a running instance in cached mode refuses right after (token_revoked)', async () => {
    const kept = await app.login('revoke-user');
    const revoked = await app.login('revoke-user');
    await expectServedFromCache(app.auth, revoked.accessToken);
    await expectServedFromCache(app.auth, kept.accessToken);
    const sid = app.auth.tokens.verifyAccessToken(revoked.accessToken).sid as string;
    const run = await runCli(['sessions', 'revoke', 'revoke-user', sid, '--redis', redis.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ended 1 session of user "revoke-user"');
    expect(run.stdout + run.stderr).not.toContain(sid);
    // The store's script published the revocation; the instance's cache heard it (no expiry involved: 60 s max age).
    await waitFor(() => app.events.some((event) => event.kind === 'session' && event.sessionId === sid));
    expect(await refusal(app.auth.authenticate(revoked.accessToken))).toBe('token_revoked');
    expect(await refusal(app.auth.refresh(revoked.refreshToken))).not.toBe('accepted');
    expect((await app.auth.authenticate(kept.accessToken)).subject).toBe('revoke-user');
  });

  it("takes an id that begins with '-' after --, as its help says (a user id may; session ids of earlier builds did)", async () => {
    const run = await runCli(['sessions', 'revoke', '--redis', redis.url, '--', 'nobody', '-old-style-id']);
    // Read as the id, not as an unknown option (exit 2): no such live session.
    expect(run.code).toBe(6);
    const help = await runCli(['sessions', 'revoke', '--help']);
    expect(help.stdout).toContain('goes after --');
  });

  it('answers exit 6 for a session that is not live, without echoing the id', async () => {
    const run = await runCli([
      'sessions',
      'revoke',
      'nobody',
      'no-such-session-id-123',
      '--redis',
      redis.url,
      '--json',
    ]);
    expect(run.code).toBe(6);
    expect(json(run)).toEqual({
      error: expect.objectContaining({ code: 'not_found', reason: 'session_not_found' }),
    });
    expect(run.stdout).not.toContain('no-such-session-id-123');
  });

  it('revokes every session of a user, which the running instance refuses at once', async () => {
    const pairs = [await app.login('all-user'), await app.login('all-user'), await app.login('all-user')];
    for (const pair of pairs) await expectServedFromCache(app.auth, pair.accessToken);
    const run = await runCli(['sessions', 'revoke-all', 'all-user', '--redis', redis.url, '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({ userId: 'all-user', ended: 3 });
    await waitFor(() => app.events.some((event) => event.kind === 'user' && event.userId === 'all-user'));
    for (const pair of pairs)
      expect(await refusal(app.auth.authenticate(pair.accessToken))).toBe('token_revoked');
  });

  it('deactivates a user: the running instance refuses their tokens and logins until the user is activated again', async () => {
    const pair = await app.login('deactivated-user');
    await expectServedFromCache(app.auth, pair.accessToken);
    await app.auth.store.setCachedUser('deactivated-user', '{"name":"cached profile"}', 600_000);
    const run = await runCli(['users', 'deactivate', 'deactivated-user', '--redis', redis.url, '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({ userId: 'deactivated-user', state: 'deactivated' });
    // The deactivation's event, then the dropped profile's, in the order the CLI published them.
    await waitFor(() =>
      app.events.some(
        (event) => event.kind === 'user' && event.userId === 'deactivated-user' && event.reason === 'profile',
      ),
    );
    expect(app.events).toContainEqual({ kind: 'user', userId: 'deactivated-user', reason: 'deactivated' });
    expect(await refusal(app.auth.authenticate(pair.accessToken))).not.toBe('accepted');
    expect(await refusal(app.login('deactivated-user'))).toBe('user_inactive');
    // As auth.deactivateUser does, beyond the store's own step: the cached profile is dropped everywhere.
    expect(await app.auth.store.getCachedUser('deactivated-user')).toBeNull();

    const again = await runCli(['users', 'activate', 'deactivated-user', '--redis', redis.url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is active again');
    const next = await app.login('deactivated-user');
    expect((await app.auth.authenticate(next.accessToken)).subject).toBe('deactivated-user');
    // Sessions the deactivation ended stay ended.
    expect(await refusal(app.auth.authenticate(pair.accessToken))).not.toBe('accepted');
  });

  it('runs the same scripts through ioredis (--redis-client ioredis), and reads REDIS_URL when no option names Redis', async () => {
    const pair = await app.login('ioredis-user');
    await expectServedFromCache(app.auth, pair.accessToken);
    const sid = app.auth.tokens.verifyAccessToken(pair.accessToken).sid as string;
    const listed = await runCli(['sessions', 'list', 'ioredis-user', '--redis-client', 'ioredis', '--json'], {
      env: { REDIS_URL: redis.url },
    });
    expect(listed.code).toBe(0);
    expect(json<{ sessions: { id: string }[] }>(listed).sessions.map((session) => session.id)).toEqual([sid]);
    const run = await runCli(['sessions', 'revoke', 'ioredis-user', sid, '--redis-client', 'ioredis'], {
      env: { REDIS_URL: redis.url },
    });
    expect(run.code).toBe(0);
    await waitFor(() => app.events.some((event) => event.kind === 'session' && event.sessionId === sid));
    expect(await refusal(app.auth.authenticate(pair.accessToken))).toBe('token_revoked');
  });

  it('hides sessions created before --not-before (SESSIONS_NOT_BEFORE), as the application does after a restore', async () => {
    await app.login('restored-user');
    const later = Math.floor(Date.now() / 1000) + 2;
    const hidden = await runCli([
      'sessions',
      'list',
      'restored-user',
      '--redis',
      redis.url,
      '--not-before',
      String(later),
      '--json',
    ]);
    expect(json<{ sessions: unknown[] }>(hidden).sessions).toEqual([]);
    const fromEnv = await runCli(['sessions', 'list', 'restored-user', '--redis', redis.url, '--json'], {
      env: { SESSIONS_NOT_BEFORE: String(later) },
    });
    expect(json<{ sessions: unknown[] }>(fromEnv).sessions).toEqual([]);
    const shown = await runCli(['sessions', 'list', 'restored-user', '--redis', redis.url, '--json']);
    expect(json<{ sessions: unknown[] }>(shown).sessions).toHaveLength(1);
  });

  it('with --revocation-acks and no replica to confirm, exits 5 (not_acknowledged) though the master ended the sessions', async () => {
    const pair = await app.login('acks-user');
    const run = await runCli([
      'sessions',
      'revoke-all',
      'acks-user',
      '--redis',
      redis.url,
      '--revocation-acks',
      '1',
      '--json',
    ]);
    expect(run.code).toBe(5);
    expect(json(run)).toEqual({
      error: expect.objectContaining({ code: 'redis_unavailable', reason: 'not_acknowledged' }),
    });
    await waitFor(() => app.events.some((event) => event.kind === 'user' && event.userId === 'acks-user'));
    expect(await refusal(app.auth.authenticate(pair.accessToken))).toBe('token_revoked');
  });

  it("uses the application's key prefix (--prefix): another prefix is another store", async () => {
    await app.login('prefix-user');
    const other = await runCli([
      'sessions',
      'list',
      'prefix-user',
      '--redis',
      redis.url,
      '--prefix',
      'other:',
      '--json',
    ]);
    expect(json<{ sessions: unknown[] }>(other).sessions).toEqual([]);
    const same = await runCli([
      'sessions',
      'list',
      'prefix-user',
      '--redis',
      redis.url,
      '--prefix',
      'authjwt:',
      '--json',
    ]);
    expect(json<{ sessions: unknown[] }>(same).sessions).toHaveLength(1);
  });

  it('exits 5 when Redis does not answer, and 2 for a command line that names no Redis or two', async () => {
    const down = await runCli([
      'sessions',
      'list',
      'u',
      '--redis',
      'redis://127.0.0.1:1',
      '--timeout',
      '2',
      '--json',
    ]);
    expect(down.code).toBe(5);
    expect(json(down)).toEqual({ error: expect.objectContaining({ code: 'redis_unavailable' }) });
    const none = await runCli(['users', 'deactivate', 'u']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the Redis');
    const two = await runCli([
      'users',
      'deactivate',
      'u',
      '--redis',
      redis.url,
      '--redis-cluster',
      '127.0.0.1:1',
    ]);
    expect(two.code).toBe(2);
  });
});

describe('a Redis user with a password', () => {
  it('takes the password from the URL (REDIS_URL), and never prints it, not even when Redis refuses it', async () => {
    await redis.command('ACL', 'SETUSER', 'operator', 'on', '>cli-secret-password', '~*', '&*', '+@all');
    const url = `redis://operator:cli-secret-password@127.0.0.1:${redis.port}`;
    const ok = await runCli(['sessions', 'revoke-all', 'u'], { env: { REDIS_URL: url } });
    expect(ok.code).toBe(0);
    const wrong = await runCli([
      'sessions',
      'revoke-all',
      'u',
      '--redis',
      `redis://operator:wrong-password-value@127.0.0.1:${redis.port}`,
    ]);
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain(`127.0.0.1:${redis.port}`);
    expect(wrong.stdout + wrong.stderr).not.toContain('wrong-password-value');
    const doctor = await runCli(['doctor', '--json'], { env: { REDIS_URL: url } });
    expect(doctor.stdout).not.toContain('cli-secret-password');
    expect(json<{ checks: { check: string; status: string }[] }>(doctor).checks).toContainEqual(
      expect.objectContaining({ check: 'channel', status: 'ok' }),
    );
  });
});
