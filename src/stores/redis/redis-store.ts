import { AuthConfigError, AuthError } from '../../errors.js';
import { type Duration, parseDuration, parseDurationMs } from '../../internal/duration.js';
import type {
  CreateSessionOptions,
  CreateSessionResult,
  LoginAttempt,
  LoginAttemptLimits,
  LoginAttemptResult,
  RevocationEvent,
  RotateRefreshInput,
  RotateRefreshResult,
  SessionRecord,
  SessionState,
  SessionStore,
  SessionUpdate,
  UserState,
} from '../port.js';
import { isLive, newestFirst } from '../session-record.js';
import { adaptClient, type RedisClientLike } from './adapt-client.js';
import { ChannelProof } from './channel-proof.js';
import { type Commands, commands } from './commands.js';
import { type RedisConnection, replyText } from './connection.js';
import { checkPrefix, loginAttemptKeys, type UserKeys, userKeys } from './keys.js';
import { countLoginAttemptScript, forgetLoginAttemptScript } from './login-attempt-scripts.js';
import { type RevocationAcks, revocationAcks } from './revocation-acks.js';
import { RevocationChannel } from './revocation-channel.js';
import { checkInteger, checkTokenId, decodeSession, encodeSession } from './session-codec.js';
import {
  createSessionScript,
  getSessionStateScript,
  listSessionsScript,
  revokeSessionScript,
  rotateRefreshScript,
  touchSessionScript,
} from './session-scripts.js';
import { updateSessionScript } from './update-session-script.js';
import {
  deleteCachedUserScript,
  revokeAllSessionsScript,
  revokeOtherSessionsScript,
  setUserActiveScript,
} from './user-scripts.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Your connected (or connecting) client: node-redis `createClient()` / `createCluster()` or ioredis
   * `new Redis()` / `new Cluster()`. The store never closes it. Give it an `'error'` listener (a client
   * without one crashes the process when Redis goes away), and make it fail fast while disconnected
   * instead of queueing commands for later: node-redis `disableOfflineQueue: true`, ioredis
   * `enableOfflineQueue: false` (and a small `maxRetriesPerRequest`). Do not set the client's own key
   * prefix; use `prefix`. Redis 7.0 or later; the app's and Redis's clocks are assumed in sync.
   */
  readonly client: RedisClientLike;
  /** Prefix of every key and of the revocation channel (`${prefix}revocations`). Default `'authjwt:'`. */
  readonly prefix?: string;
  /**
   * The longest any store call may take before it rejects (`store_unavailable`): a backstop under the
   * session layer's own deadline, so no call waits on a client forever. Default 10 seconds.
   */
  readonly commandTimeout?: Duration;
  /**
   * How long a user's non-default state (inactive) is kept after its last change. Must exceed your
   * longest token lifetime: after it Redis forgets the user, and the session layer's `isActive(user)`
   * check on the loaded profile is what refuses a deactivated user. Default 30 days; `createAuth`
   * refuses a value shorter than the refresh token lifetime or `absoluteLifetime`.
   */
  readonly userStateTtl?: Duration;
  /**
   * Replicas that must acknowledge every revoking step (logout, logout-all, logout-others, a
   * deactivation, an eviction, reuse detection) before it resolves, with `WAIT`; not acknowledged
   * within `revocationAckTimeout`: 503 `store_unavailable`, the revocation perhaps lost.
   * With 1 or more a failover cannot bring back a session whose end was confirmed. Each revocation
   * then holds the client's connection for the replication round trip. Default 0. Not with an ioredis
   * `Cluster`, which cannot send WAIT to the node that took the write.
   */
  readonly revocationAcks?: number;
  /**
   * How long a revoking step waits for its acknowledgements. Default `'500ms'`; keep it under the
   * session layer's `sessions.storeTimeout` (default 1 second), which bounds the whole step.
   */
  readonly revocationAckTimeout?: Duration;
}

/**
 * The Redis store: sessions, user state and profiles of many app instances in one Redis
 * (standalone, or Cluster: every step is one Lua script on the keys of one user, which share a hash
 * tag). Revocations are published on `${prefix}revocations`, and `subscribe()` listens on a
 * connection of the store's own, which `close()` closes.
 *
 * Layout per user (tag = 16 base64url characters of SHA-256 of the user id): `{tag}:s`, the user's
 * sessions packed into one string while they are few, or `{tag}:h`, a hash of them once they are
 * many, with `{tag}:o` and `{tag}:x` (creation and end order) beside it (see lua-sessions.ts), all
 * expiring with the longest-lived session; `{tag}:u`, the user's state; `{tag}:p`, the cached
 * profile. Every key has an expiry. No per-session step costs more for a user with many sessions than
 * for a user with one.
 *
 * ```ts
 * const client = createClient({ url, disableOfflineQueue: true }); // node-redis
 * // or: new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) // ioredis
 * client.on('error', (error) => log.warn(error.message)); // without it, a lost Redis crashes the process
 * await client.connect(); // node-redis only
 * const store = redisStore({ client });
 * ```
 */
export function redisStore(options: RedisStoreOptions): SessionStore {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError('client', 'redisStore needs { client }');
  }
  const timeoutMs = parseDuration('commandTimeout', options.commandTimeout ?? 10) * 1000;
  const userStateTtlMs = parseDuration('userStateTtl', options.userStateTtl ?? '30d') * 1000;
  const prefix = checkPrefix(options.prefix ?? 'authjwt:');
  const replicas = options.revocationAcks ?? 0;
  if (!Number.isSafeInteger(replicas) || replicas < 0 || replicas > 16) {
    throw new AuthConfigError('revocationAcks', 'must be a whole number of replicas from 0 to 16');
  }
  const ackTimeoutMs = parseDurationMs('revocationAckTimeout', options.revocationAckTimeout ?? '500ms', {
    min: 1,
    max: timeoutMs,
  });
  const redis = adaptClient(options.client, timeoutMs);
  if (replicas > 0 && redis.kind === 'ioredis-cluster') {
    throw new AuthConfigError(
      'revocationAcks',
      'needs node-redis with a Cluster (ioredis cannot route WAIT)',
    );
  }
  const commandsOfStore = commands(redis, timeoutMs);
  return new RedisSessionStore(
    redis,
    commandsOfStore,
    prefix,
    userStateTtlMs,
    revocationAcks(commandsOfStore, replicas, ackTimeoutMs),
  );
}

class RedisSessionStore implements SessionStore {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #userStateTtl: string;
  readonly userStateTtlMs: number;
  readonly #redis: RedisConnection;
  readonly #revocations: RevocationChannel;
  readonly #acks: RevocationAcks;

  constructor(
    redis: RedisConnection,
    storeCommands: Commands,
    prefix: string,
    userStateTtlMs: number,
    acks: RevocationAcks,
  ) {
    this.#redis = redis;
    this.#commands = storeCommands;
    this.#acks = acks;
    this.#prefix = prefix;
    this.#channel = `${prefix}revocations`;
    this.userStateTtlMs = userStateTtlMs;
    this.#userStateTtl = String(userStateTtlMs);
    this.#revocations = new RevocationChannel(
      redis,
      this.#channel,
      new ChannelProof(this.#commands, prefix, this.#channel),
    );
  }

  async createSession(session: SessionRecord, options: CreateSessionOptions): Promise<CreateSessionResult> {
    const keys = this.#keys(session.userId);
    const reply = asArray(
      await this.#commands.run(
        createSessionScript,
        [...this.#sessionKeys(session.userId), keys.user],
        [
          session.id,
          encodeSession(session),
          checkInteger('maxSessions', options.maxSessions),
          checkInteger('now', options.now),
          this.#channel,
          session.userId,
        ],
      ),
    );
    const outcome = replyText(reply[0]);
    if (outcome === 'created') {
      const evicted = texts(reply[1]);
      if (evicted.length > 0) await this.#acks.confirm(keys.sessions);
      return { outcome, evicted };
    }
    if (outcome === 'inactive') return { outcome: 'user_inactive' };
    throw new AuthError('store_unavailable', { reason: 'redis_reply' });
  }

  async getSessionState(userId: string, sessionId: string, now: number): Promise<SessionState> {
    const keys = this.#keys(userId);
    checkInteger('now', now);
    const reply = asArray(
      await this.#commands.run(
        getSessionStateScript,
        [keys.sessions, keys.sessionHash, keys.user],
        [sessionId],
      ),
    );
    const packed = replyText(reply[0]);
    const session = packed === null ? null : decodeSession(userId, sessionId, packed);
    const live = session !== null && isLive(session, now);
    return {
      // An ended session may linger in the list until a write prunes it: it reads as absent.
      session: live ? session : null,
      user: userState(reply[1]),
      ...(!live && session !== null && { ended: session }),
    };
  }

  async updateSession(
    userId: string,
    sessionId: string,
    update: SessionUpdate,
    now: number,
  ): Promise<SessionRecord | null> {
    const json = (value: Readonly<Record<string, unknown>> | null | undefined) =>
      value === undefined || value === null ? '' : JSON.stringify(value);
    const packed = replyText(
      await this.#commands.run(updateSessionScript, this.#sessionKeys(userId), [
        sessionId,
        checkInteger('now', now),
        update.claims === undefined ? '0' : '1',
        json(update.claims),
        update.data === undefined ? '0' : '1',
        json(update.data),
      ]),
    );
    return packed === null ? null : decodeSession(userId, sessionId, packed);
  }

  async touchSession(userId: string, sessionId: string, now: number, idleExpiresAt: number): Promise<void> {
    await this.#commands.run(touchSessionScript, this.#sessionKeys(userId), [
      sessionId,
      checkInteger('now', now),
      checkInteger('idleExpiresAt', idleExpiresAt),
    ]);
  }

  async rotateRefresh(input: RotateRefreshInput): Promise<RotateRefreshResult> {
    const reply = asArray(
      await this.#commands.run(rotateRefreshScript, this.#sessionKeys(input.userId), [
        input.sessionId,
        input.presentedJti,
        checkTokenId('nextJti', input.nextJti),
        checkInteger('now', input.now),
        checkInteger('graceMs', input.graceMs),
        checkInteger('idleExpiresAt', input.idleExpiresAt),
        this.#channel,
        input.userId,
      ]),
    );
    const outcome = replyText(reply[0]);
    const packed = replyText(reply[1]);
    if ((outcome === 'rotated' || outcome === 'grace') && packed !== null) {
      return { outcome, session: decodeSession(input.userId, input.sessionId, packed) };
    }
    if (outcome === 'reused') await this.#acks.confirm(this.#keys(input.userId).sessions);
    if (outcome === 'reused' || outcome === 'missing') return { outcome };
    throw new AuthError('store_unavailable', { reason: 'redis_reply' });
  }

  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    const keys = this.#sessionKeys(userId);
    const reply = await this.#commands.run(revokeSessionScript, keys, [sessionId, this.#channel, userId]);
    await this.#acks.confirm(keys[0] as string);
    return Number(reply) === 1;
  }

  async revokeOtherSessions(userId: string, keepSessionId: string): Promise<number> {
    const keys = this.#sessionKeys(userId);
    const reply = await this.#commands.run(revokeOtherSessionsScript, keys, [
      keepSessionId,
      this.#channel,
      userId,
    ]);
    await this.#acks.confirm(keys[0] as string);
    return Number(reply);
  }

  async revokeAllSessions(userId: string): Promise<number> {
    const keys = this.#sessionKeys(userId);
    const reply = await this.#commands.run(revokeAllSessionsScript, keys, [this.#channel, userId]);
    await this.#acks.confirm(keys[0] as string);
    return Number(reply);
  }

  async listSessions(userId: string, now: number, limit: number): Promise<SessionRecord[]> {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError('authjwt: limit must be a whole number >= 1');
    const reply = asArray(
      await this.#commands.run(listSessionsScript, this.#sessionKeys(userId), [
        checkInteger('now', now),
        String(limit),
      ]),
    );
    const sessions: SessionRecord[] = [];
    for (let n = 0; n + 1 < reply.length; n += 2) {
      const id = replyText(reply[n]);
      const packed = replyText(reply[n + 1]);
      if (id === null || packed === null) continue;
      const session = decodeSession(userId, id, packed);
      if (isLive(session, now)) sessions.push(session);
    }
    return sessions.sort(newestFirst).slice(0, limit);
  }

  async setUserActive(userId: string, active: boolean, now: number): Promise<void> {
    checkInteger('now', now);
    const keys = this.#keys(userId);
    await this.#commands.run(
      setUserActiveScript,
      [...this.#sessionKeys(userId), keys.user],
      [active ? '1' : '0', this.#userStateTtl, this.#channel, userId],
    );
    if (!active) await this.#acks.confirm(keys.user);
  }

  async getCachedUser(userId: string): Promise<string | null> {
    const key = this.#keys(userId).profile;
    return replyText(await this.#commands.send(['GET', key], key));
  }

  async setCachedUser(userId: string, profileJson: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError('authjwt: ttlMs must be positive');
    const key = this.#keys(userId).profile;
    await this.#commands.send(['SET', key, profileJson, 'PX', String(Math.ceil(ttlMs))], key);
  }

  async deleteCachedUser(userId: string): Promise<void> {
    await this.#commands.run(deleteCachedUserScript, [this.#keys(userId).profile], [this.#channel, userId]);
  }

  async countLoginAttempt(attempt: LoginAttempt, limits: LoginAttemptLimits): Promise<LoginAttemptResult> {
    const keys = loginAttemptKeys(this.#prefix, attempt.client, attempt.account);
    const reply = asArray(
      await this.#commands.run(
        countLoginAttemptScript,
        [keys.account, keys.client],
        [
          checkInteger('windowMs', limits.windowMs),
          checkInteger('maxPerAccount', limits.maxPerAccount),
          checkInteger('maxPerClient', limits.maxPerClient),
        ],
      ),
    );
    if (Number(reply[0]) === 1) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(1, Number(reply[1])) };
  }

  async forgetLoginAttempt(attempt: LoginAttempt): Promise<void> {
    const keys = loginAttemptKeys(this.#prefix, attempt.client, attempt.account);
    await this.#commands.run(forgetLoginAttemptScript, [keys.account, keys.client], []);
  }

  subscribe(listener: (event: RevocationEvent | 'down' | 'up') => void): () => void {
    return this.#revocations.subscribe(listener);
  }

  async ping(): Promise<void> {
    const reply = replyText(await this.#commands.send(['PING'], undefined));
    if (reply !== 'PONG') throw new AuthError('store_unavailable', { reason: 'redis_reply' });
  }

  async close(): Promise<void> {
    this.#revocations.close();
    this.#redis.release?.();
  }

  #keys(userId: string): UserKeys {
    return userKeys(this.#prefix, userId);
  }

  /** The four keys of a user's sessions, in the order the session scripts name them. */
  #sessionKeys(userId: string): string[] {
    const keys = this.#keys(userId);
    return [keys.sessions, keys.sessionHash, keys.created, keys.ends];
  }
}

function asArray(reply: unknown): readonly unknown[] {
  if (Array.isArray(reply)) return reply;
  throw new AuthError('store_unavailable', { reason: 'redis_reply' });
}

function texts(reply: unknown): string[] {
  return asArray(reply).flatMap((item) => {
    const text = replyText(item);
    return text === null ? [] : [text];
  });
}

function userState(active: unknown): UserState {
  return { active: replyText(active) !== '0' };
}
