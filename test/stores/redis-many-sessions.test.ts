import { createConnection, type Socket } from 'node:net';
import { redisStore } from 'authjwt/redis';
import { describe, expect, it } from 'vitest';
import type { SessionRecord, SessionStore } from '../../src/stores/port.js';
import { userKeys } from '../../src/stores/redis/keys.js';
import { randomId } from '../../src/tokens/random-id.js';
import { waitFor } from '../helpers/redis-server.js';
import { redisForFile } from '../sessions/fixtures.js';

/*
 * How the Redis store keeps a user with many sessions (see src/stores/redis/lua-sessions.ts): the
 * layout it switches to, and, watched with MONITOR (which shows the commands scripts run), that no
 * per-session step reads the user's other sessions. Timings are the benchmark's business
 * (bench/many-sessions.ts), never a test's.
 */

const hour = 3_600_000;
const redis = redisForFile();

function newStore(): { store: SessionStore; prefix: string } {
  const prefix = redis.prefix('m');
  return { store: redisStore({ client: redis.client, prefix }), prefix };
}

function session(userId: string, createdAt: number): SessionRecord {
  return {
    id: randomId(),
    userId,
    createdAt,
    lastSeenAt: createdAt,
    expiresAt: createdAt + 24 * hour,
    idleExpiresAt: createdAt + hour,
    refreshJti: randomId(),
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
    ip: '198.51.100.23',
    claims: { roles: ['user'] },
  };
}

async function createMany(store: SessionStore, count: number, t0: number): Promise<SessionRecord[]> {
  const sessions = Array.from({ length: count }, (_, n) => session('alice', t0 + n));
  for (const s of sessions) await store.createSession(s, { maxSessions: 0, now: s.createdAt });
  return sessions;
}

describe('the layout of a user with many sessions', () => {
  it('is one string up to 16 sessions, a hash with two sorted sets past them, a string again once listed at 8', async () => {
    const { store, prefix } = newStore();
    const keys = userKeys(prefix, 'alice');
    const t0 = Date.now();
    const sessions = await createMany(store, 16, t0);
    expect(await redis.server.command('TYPE', keys.sessions)).toBe('string');
    expect(await redis.server.command('EXISTS', keys.sessionHash, keys.created, keys.ends)).toBe('0');
    sessions.push(...(await createMany(store, 1, t0 + 16)));
    expect(await redis.server.command('EXISTS', keys.sessions)).toBe('0');
    expect(await redis.server.command('TYPE', keys.sessionHash)).toBe('hash');
    expect(await redis.server.command('HLEN', keys.sessionHash)).toBe('17');
    expect(await redis.server.command('ZCARD', keys.created)).toBe('17');
    expect(await redis.server.command('ZCARD', keys.ends)).toBe('17');
    // Every key of the hash form expires with the longest-lived session, like the string did.
    const expiry = await redis.server.command('PEXPIRETIME', keys.sessionHash);
    expect(Number(expiry)).toBe(t0 + 16 + hour);
    expect(await redis.server.command('PEXPIRETIME', keys.created)).toBe(expiry);
    expect(await redis.server.command('PEXPIRETIME', keys.ends)).toBe(expiry);
    for (const s of sessions.slice(0, 9)) await store.revokeSession('alice', s.id);
    expect(await redis.server.command('TYPE', keys.sessionHash)).toBe('hash');
    const listed = await store.listSessions('alice', t0 + 20, 1000);
    expect(listed.map((s) => s.id)).toEqual(
      sessions
        .slice(9)
        .map((s) => s.id)
        .reverse(),
    );
    expect(await redis.server.command('TYPE', keys.sessions)).toBe('string');
    expect(await redis.server.command('EXISTS', keys.sessionHash, keys.created, keys.ends)).toBe('0');
    expect(await redis.server.command('PEXPIRETIME', keys.sessions)).toBe(expiry);
    expect((await store.listSessions('alice', t0 + 20, 1000)).map((s) => s.id)).toEqual(
      listed.map((s) => s.id),
    );
  });

  it('deletes every key of the user on logout-all and deactivation', async () => {
    const { store, prefix } = newStore();
    const keys = userKeys(prefix, 'alice');
    await createMany(store, 30, Date.now());
    await store.revokeAllSessions('alice');
    const all = [keys.sessions, keys.sessionHash, keys.created, keys.ends];
    expect(await redis.server.command('EXISTS', ...all)).toBe('0');
    await createMany(store, 30, Date.now());
    await store.setUserActive('alice', false, Date.now());
    expect(await redis.server.command('EXISTS', ...all)).toBe('0');
  });
});

describe('per-session steps on a user with 300 sessions', () => {
  it("read, touch, rotate, end one and create one without reading the user's other sessions", async () => {
    const { store, prefix } = newStore();
    const t0 = Date.now();
    const sessions = await createMany(store, 300, t0);
    const [first, second, third] = sessions as [SessionRecord, SessionRecord, SessionRecord];
    const commands = await watch(async () => {
      await store.getSessionState('alice', first.id, t0 + 300);
      await store.touchSession('alice', first.id, t0 + 400, t0 + 400 + hour);
      await store.rotateRefresh({
        userId: 'alice',
        sessionId: second.id,
        presentedJti: second.refreshJti,
        nextJti: randomId(),
        now: t0 + 500,
        graceMs: 1000,
        idleExpiresAt: t0 + 500 + hour,
      });
      await store.revokeSession('alice', third.id);
      await store.createSession(session('alice', t0 + 600), { maxSessions: 0, now: t0 + 600 });
      // At the limit: the one oldest session goes, found through the creation order.
      await store.createSession(session('alice', t0 + 700), { maxSessions: 300, now: t0 + 700 });
    });
    const fromScripts = commands.filter((command) => command.lua);
    // Each step ran, inside its script (EVALSHA itself is not a script's command).
    expect(fromScripts.filter((c) => c.name === 'HGET').length).toBeGreaterThanOrEqual(3);
    expect(fromScripts.filter((c) => c.name === 'HSET').length).toBe(4);
    const readsEverything = fromScripts.filter(
      (c) =>
        ['HGETALL', 'HKEYS', 'HVALS', 'HSCAN', 'SORT', 'ZSCAN'].includes(c.name) ||
        (c.name.startsWith('ZRANGE') && c.args.includes('-1')),
    );
    expect(readsEverything).toEqual([]);
    // Each step looks for the string form first: a GET that finds nothing for this user.
    const keys = userKeys(prefix, 'alice');
    expect(fromScripts.filter((c) => c.name === 'GET').every((c) => c.args[0] === keys.sessions)).toBe(true);
    expect(await redis.server.command('EXISTS', keys.sessions)).toBe('0');
    // The eviction read one id, the oldest, not 300.
    const ranges = fromScripts.filter((c) => c.name === 'ZRANGE');
    expect(ranges.map((c) => c.args.slice(1, 3))).toEqual([['0', '0']]);
  });
});

interface MonitoredCommand {
  readonly lua: boolean;
  readonly name: string;
  readonly args: readonly string[];
}

/** The commands Redis ran while `work` did, as MONITOR reports them. */
async function watch(work: () => Promise<void>): Promise<MonitoredCommand[]> {
  const socket: Socket = createConnection({ host: '127.0.0.1', port: redis.server.port });
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString('utf8');
  });
  socket.write('MONITOR\r\n');
  await waitFor(() => text.startsWith('+OK'));
  try {
    await work();
    // MONITOR lines may trail the replies: wait for the last step's command to show.
    await waitFor(() => text.includes('"EVALSHA"') && text.trimEnd().split('\r\n').length > 10);
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    socket.destroy();
  }
  return text
    .split('\r\n')
    .filter((line) => /^\+\d+\.\d+ \[/.test(line))
    .map((line) => {
      const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? '');
      return { lua: line.includes(' lua] '), name: (args[0] ?? '').toUpperCase(), args: args.slice(1) };
    });
}
