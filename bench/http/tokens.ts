/**
 * The tokens of the token-checked GET scenarios, and the pre-flight check every such server passes
 * before it is loaded. The harness logs the users in itself, with an authjwt instance on the run's
 * Redis store (the prefix every authjwt server of the run shares), so every server checks the very
 * same HS256 access tokens: the peers verify them with the same secret (standard claims; hono/jwt is
 * told the `at+jwt` type). Beside each session it writes the key whose EXISTS the peers' hand-made
 * revocation check asks, and deletes it when the session ends.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuth } from 'authjwt';
import { redisStore } from 'authjwt/redis';
import type { RequestOptions } from 'autocannon';
import { createClient } from 'redis';
import type { LoadPlan } from './load.js';
import { checksSession, checksToken, peerSessionKey, type Scenario } from './scenarios.js';

export interface BenchSession {
  readonly subject: string;
  readonly accessToken: string;
  readonly sessionId: string;
}

/** Long enough for any run: the servers check `exp`, not the lifetime they would give. */
const lifetimeSeconds = 4 * 3600;

export type SessionMaker = Awaited<ReturnType<typeof createSessionMaker>>;

export async function createSessionMaker(options: { secret: string; redisUrl: string; prefix: string }) {
  const { prefix } = options;
  const client = createClient({ url: options.redisUrl });
  client.on('error', (error: Error) => process.stderr.write(`bench harness: redis: ${error.message}\n`));
  await client.connect();
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: options.secret },
    accessTtl: lifetimeSeconds,
    store: redisStore({ client, prefix }),
  });
  return {
    async login(subject: string): Promise<BenchSession> {
      const pair = await auth.login({ subject });
      const sessionId = auth.tokens.verifyAccessToken(pair.accessToken).sid as string;
      await client.set(peerSessionKey(prefix, sessionId), subject, { EX: lifetimeSeconds });
      return { subject, accessToken: pair.accessToken, sessionId };
    },
    /** Ends the session for authjwt (a logout, published to every server) and for the peers. */
    async end(session: BenchSession): Promise<void> {
      await auth.logout(session.accessToken);
      await client.del(peerSessionKey(prefix, session.sessionId));
    },
    async close(): Promise<void> {
      await auth.close();
      client.destroy();
    },
  };
}

/** `GET /me` with each session's token in turn, on every connection. */
export function getPlan(sessions: readonly BenchSession[]): LoadPlan {
  const requests: RequestOptions[] = sessions.map((session) => ({
    method: 'GET',
    path: '/me',
    headers: { authorization: `Bearer ${session.accessToken}` },
  }));
  return { kind: 'requests', requests };
}

function tamper(token: string): string {
  const at = token.lastIndexOf('.') + 1;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

/** How long a cached server may take to hear that a session ended elsewhere (Redis pub/sub). */
const endHeardWithinMs = 2000;

/**
 * Proves the server does its job before it is measured, on a session of its own: a valid token gets
 * 200 naming its user; a token with one signature character changed gets 401; once the session
 * ended, 401 from a server that checks sessions. The bare route answers 200 to anything, and the
 * peer middleware alone cannot know of an ended session.
 */
export async function preflight(
  name: string,
  scenario: Scenario,
  url: string,
  sessions: SessionMaker,
): Promise<void> {
  const session = await sessions.login(`preflight-${randomUUID()}`);
  const get = async (token: string) => {
    const response = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.text() };
  };
  const valid = await get(session.accessToken);
  const expected = checksToken(scenario.id) ? session.subject : 'anonymous';
  if (valid.status !== 200 || (JSON.parse(valid.body) as { sub?: unknown }).sub !== expected) {
    throw new Error(
      `${name}: a valid token got ${valid.status} ${valid.body} (expected 200, sub ${expected})`,
    );
  }
  if (checksToken(scenario.id)) {
    const tampered = await get(tamper(session.accessToken));
    if (tampered.status !== 401) throw new Error(`${name}: a tampered token got ${tampered.status}`);
  }
  if (!checksSession(scenario)) return;
  await sessions.end(session);
  const deadline = performance.now() + endHeardWithinMs;
  let ended = await get(session.accessToken);
  while (ended.status !== 401 && performance.now() < deadline) {
    await sleep(10);
    ended = await get(session.accessToken);
  }
  if (ended.status !== 401) {
    throw new Error(
      `${name}: a token of an ended session still got ${ended.status} after ${endHeardWithinMs} ms`,
    );
  }
}
