import { AuthConfigError } from '../errors.js';
import { type Duration, parseDuration, parseDurationMs } from '../internal/duration.js';
import type { SessionStore } from '../stores/port.js';

/**
 * How sessions behave. Every field is validated once, at construction. Sessions are always records
 * in the store: a token is honoured only while its session is live (tokens without sessions:
 * `createTokenService`).
 */
export interface SessionOptions {
  /**
   * Live sessions kept per user, newest first; a new login ends the oldest beyond it (published as a
   * `session` revocation with reason `limit`). Default 100. `0` = no limit, for those who ask for it:
   * a user without one can pile up sessions without end.
   */
  maxSessions?: number;
  /**
   * The most sessions `listSessions` returns, the newest: what a listing costs (in the store and
   * here) grows with it, so it stays bounded even for a user without a session limit. Default 100,
   * at most 1000.
   */
  listLimit?: number;
  /**
   * Seconds after a rotation in which replaying the spent refresh token is answered, not theft.
   * Default 5, at most 60.
   */
  refreshReuseGrace?: Duration;
  /**
   * Sessions issued before this moment are void: the lever after restoring older Redis data, which
   * brings back sessions ended after the snapshot and cannot tell itself. A `Date` or seconds since
   * the epoch; at most 5 minutes ahead of the clock. Default: none.
   */
  notBefore?: Date | number;
  /** A session unused for this long ends. Default: none (only the absolute lifetime). */
  idleTimeout?: Duration;
  /** A session ends this long after login whatever its use. Default: the refresh token lifetime. */
  absoluteLifetime?: Duration;
  /**
   * The absolute lifetime of a session started with `remember: false` (whose cookies also end with
   * the browser session). Default: one day, or `absoluteLifetime` if shorter; at most `absoluteLifetime`.
   */
  shortLifetime?: Duration;
  /**
   * The most bytes (UTF-8 JSON) of a session's `data`, and of the claims `updateSession` stores: they
   * live in the store with every session, and claims in every access token. Default 1024, at most 65536.
   */
  maxDataSize?: number;
  /** How often, at most, a request records `lastSeenAt`. Default 60 seconds. */
  touchInterval?: Duration;
  /** How long the store has to answer before a request fails with 503 (`'250ms'`, `2`). Default 1 second. */
  storeTimeout?: Duration;
  /**
   * `'cached'` (default): the per-request session and user-state check is served from a bounded local
   * cache that the store's revocation channel invalidates (no round trip in the steady state); while
   * the channel is down the cache is emptied and bypassed. `'strict'`: one store round trip per request.
   */
  revocation?: 'cached' | 'strict';
  /** Bounds of the local cache in `'cached'` mode. `maxAge`: default 60 seconds, at most 300. */
  cache?: { maxUsers?: number; maxAge?: Duration };
}

/** The application's users: where profiles come from and whether a user may still use the service. */
export interface UserOptions<User = unknown> {
  /** Loads a user's profile (the app's database); `null` when the user no longer exists. */
  load(userId: string): Promise<User | null>;
  /** Soft delete: a user for whom this is false is refused (401 `user_inactive`). Default: always active. */
  isActive?(user: User): boolean;
  /** The user's roles for role guards. Default: the access token's `roles` claim. */
  roles?(user: User): readonly string[];
  /** How long a loaded profile stays cached in the store. Default 5 minutes. */
  cacheTtl?: Duration;
}

export interface ResolvedSessionOptions {
  readonly maxSessions: number;
  readonly listLimit: number;
  readonly graceMs: number;
  readonly idleTimeoutMs: number | undefined;
  /** Milliseconds since the epoch; 0 when not set. */
  readonly notBeforeMs: number;
  readonly absoluteLifetimeMs: number;
  readonly shortLifetimeMs: number;
  readonly maxDataSize: number;
  readonly touchIntervalMs: number;
  readonly storeTimeoutMs: number;
  readonly revocation: 'cached' | 'strict';
  readonly cacheMaxUsers: number;
  readonly cacheMaxAgeMs: number;
}

/**
 * The grace covers two tabs refreshing at once and a response lost on the way back: a few seconds.
 * Within it a replayed refresh token is answered, not treated as theft, so a long grace (14 days, say)
 * quietly switches reuse detection off. A minute is far beyond any honest need.
 */
const maxRefreshReuseGrace = 60;

/**
 * The cache's max age is the safety net for a revocation message that never arrived: an ended
 * session is honoured at most this long on an instance that missed it. Five minutes bounds that
 * exposure like the other clock allowances (`leeway`, the default `freshTtl`).
 */
const maxCacheMaxAge = 300;

/** A session without "remember me" is meant to end with the day's work on a shared computer. */
const defaultShortLifetimeMs = 24 * 3600 * 1000;

export function resolveSessionOptions(
  options: SessionOptions,
  refreshTtl: number,
  nowMs: number = Date.now(),
): ResolvedSessionOptions {
  // Stateless mode is gone; a JavaScript caller or an old config that still names a mode is told so
  // rather than silently given sessions it did not ask for.
  if ((options as { mode?: unknown }).mode !== undefined) {
    throw new AuthConfigError(
      'sessions.mode',
      'was removed: sessions are always stateful; for tokens without sessions use createTokenService',
    );
  }
  const maxSessions = options.maxSessions ?? 100;
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 0) {
    throw new AuthConfigError('sessions.maxSessions', 'must be a whole number >= 0 (0 = no limit)');
  }
  const listLimit = options.listLimit ?? 100;
  if (!Number.isSafeInteger(listLimit) || listLimit < 1 || listLimit > 1000) {
    throw new AuthConfigError('sessions.listLimit', 'must be a whole number from 1 to 1000');
  }
  const storeTimeoutMs = parseDurationMs('sessions.storeTimeout', options.storeTimeout ?? 1, {
    min: 1,
    max: 60_000,
  });
  const seconds = (option: string, value: Duration, min = 1) => parseDuration(option, value, { min }) * 1000;
  const revocation = options.revocation ?? 'cached';
  if (revocation !== 'cached' && revocation !== 'strict') {
    throw new AuthConfigError('sessions.revocation', 'must be "cached" or "strict"');
  }
  const cacheMaxUsers = options.cache?.maxUsers ?? 100_000;
  if (!Number.isSafeInteger(cacheMaxUsers) || cacheMaxUsers < 1) {
    throw new AuthConfigError('sessions.cache.maxUsers', 'must be a whole number >= 1');
  }
  const absoluteLifetimeMs = seconds('sessions.absoluteLifetime', options.absoluteLifetime ?? refreshTtl);
  const shortLifetimeMs =
    options.shortLifetime === undefined
      ? Math.min(defaultShortLifetimeMs, absoluteLifetimeMs)
      : seconds('sessions.shortLifetime', options.shortLifetime);
  if (shortLifetimeMs > absoluteLifetimeMs) {
    throw new AuthConfigError('sessions.shortLifetime', 'must not exceed sessions.absoluteLifetime');
  }
  const maxDataSize = options.maxDataSize ?? 1024;
  if (!Number.isSafeInteger(maxDataSize) || maxDataSize < 2 || maxDataSize > 65_536) {
    throw new AuthConfigError('sessions.maxDataSize', 'must be a whole number of bytes from 2 to 65536');
  }
  return {
    maxSessions,
    listLimit,
    graceMs:
      parseDuration('sessions.refreshReuseGrace', options.refreshReuseGrace ?? 5, {
        min: 0,
        max: maxRefreshReuseGrace,
      }) * 1000,
    notBeforeMs: resolveNotBefore(options.notBefore, nowMs),
    idleTimeoutMs:
      options.idleTimeout === undefined ? undefined : seconds('sessions.idleTimeout', options.idleTimeout),
    absoluteLifetimeMs,
    shortLifetimeMs,
    maxDataSize,
    touchIntervalMs: seconds('sessions.touchInterval', options.touchInterval ?? 60, 0),
    storeTimeoutMs,
    revocation,
    cacheMaxUsers,
    cacheMaxAgeMs:
      parseDuration('sessions.cache.maxAge', options.cache?.maxAge ?? 60, { min: 1, max: maxCacheMaxAge }) *
      1000,
  };
}

/**
 * Every method of the port, as a record so that the compiler fails here when the port gains one:
 * a store is checked whole at construction, since one missing method would otherwise surface as a
 * 503 outage on every request that needs it.
 */
const portMethods: Readonly<Record<Exclude<keyof SessionStore, 'userStateTtlMs'>, true>> = {
  createSession: true,
  getSessionState: true,
  updateSession: true,
  touchSession: true,
  rotateRefresh: true,
  revokeSession: true,
  revokeOtherSessions: true,
  revokeAllSessions: true,
  listSessions: true,
  setUserActive: true,
  getCachedUser: true,
  setCachedUser: true,
  deleteCachedUser: true,
  subscribe: true,
  countLoginAttempt: true,
  forgetLoginAttempt: true,
  ping: true,
  close: true,
};

export function checkStore(store: SessionStore | undefined): void {
  if (store === undefined) return;
  const port = 'must implement the SessionStore port (memoryStore(), redisStore(), ...)';
  if (store === null || typeof store !== 'object') throw new AuthConfigError('store', port);
  const missing = Object.keys(portMethods).filter(
    (name) => typeof (store as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new AuthConfigError('store', `${port}; missing: ${missing.join(', ')}`);
  }
}

/**
 * A store that forgets a deactivation while a token or session of the user can still be used would
 * bring that user back: its retention must outlast the longest of them.
 */
export function checkUserStateRetention(store: SessionStore, longestMs: number): void {
  const retention = store.userStateTtlMs;
  if (retention !== undefined && retention < longestMs) {
    throw new AuthConfigError(
      'userStateTtl',
      `the store keeps user state ${Math.floor(retention / 1000)} s, less than the longest session or refresh token (${Math.floor(longestMs / 1000)} s)`,
    );
  }
}

/** A moment further ahead than this is a mistake (milliseconds for seconds, a wrong year). */
const notBeforeLeadMs = 5 * 60_000;

function resolveNotBefore(value: Date | number | undefined, nowMs: number): number {
  if (value === undefined) return 0;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new AuthConfigError('sessions.notBefore', 'must be a Date or seconds since the epoch');
  }
  if (ms > nowMs + notBeforeLeadMs) {
    throw new AuthConfigError('sessions.notBefore', 'must not be more than 5 minutes ahead of the clock');
  }
  return ms;
}
