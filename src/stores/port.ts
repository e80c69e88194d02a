/**
 * The session store port: a small promise-based interface whose atomic steps live inside the store
 * (in Redis, one Lua script each, on keys that share one hash tag per user, so they run unchanged on
 * Redis Cluster). The session layer owns the policy (lifetimes, grace, limits); the store owns the
 * atomicity. Expected absences are `null` or a result variant, never a throw; a throw means the store
 * could not answer, and the session layer turns it into 503 `store_unavailable`.
 *
 * All times are milliseconds since the epoch, supplied by the caller (one clock, injectable in tests).
 */

/** One session: a login on one device. Stored with its own expiry; gone when it ends. */
export interface SessionRecord {
  /** 128 random bits, base64url. */
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** The absolute end of the session (its lifetime cap); idle expiry may end it sooner. */
  readonly expiresAt: number;
  /** When the session ends if unused: `lastSeenAt + idle timeout`, or `expiresAt` without one. */
  readonly idleExpiresAt: number;
  readonly userAgent?: string;
  readonly ip?: string;
  /** `jti` of the one live refresh token. */
  readonly refreshJti: string;
  /** `jti` of the refresh token spent by the last rotation, honoured only within the grace window. */
  readonly previousRefreshJti?: string;
  /** When the last rotation happened. */
  readonly rotatedAt?: number;
  /** Application claims to re-issue on refresh, as given at login or `updateSession` (JSON-serializable). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The application's own data about the session (JSON-serializable), read back by listings. */
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * `false` for a session started without "remember me": its cookies end with the browser session.
   * Absent means remembered (every session before this field existed was).
   */
  readonly remember?: false;
}

/**
 * What `updateSession` changes: each field given replaces the stored one whole (`null` removes it);
 * a field left out stays as it is.
 */
export interface SessionUpdate {
  readonly claims?: Readonly<Record<string, unknown>> | null;
  readonly data?: Readonly<Record<string, unknown>> | null;
}

/**
 * One read of a session and its user. `ended` is set when the session is not live but the store still
 * held its record, past its idle or absolute end (ended sessions linger until a later step prunes
 * them or, in Redis, until the user's last session ends): a best-effort sighting, never a promise
 * that every ended session is seen.
 */
export interface SessionState {
  readonly session: SessionRecord | null;
  readonly user: UserState;
  readonly ended?: SessionRecord;
}

/** A user's state as the store knows it. A user the store has never seen is active. */
export interface UserState {
  readonly active: boolean;
}

export interface CreateSessionOptions {
  /** Keep at most this many live sessions for the user, newest first; 0 = no limit. */
  readonly maxSessions: number;
  readonly now: number;
}

/**
 * - `created`: stored; `evicted` names the user's older live sessions ended to respect `maxSessions`
 *   (each also published as a `session` revocation with reason `limit`).
 * - `user_inactive`: the user is deactivated; nothing was stored. Checked in the same atomic step, so
 *   a login racing a deactivation cannot leave a session that comes back on reactivation.
 */
export type CreateSessionResult =
  | { readonly outcome: 'created'; readonly evicted: readonly string[] }
  | { readonly outcome: 'user_inactive' };

export interface RotateRefreshInput {
  readonly userId: string;
  readonly sessionId: string;
  /** `jti` of the refresh token the client presented (its signature and claims already verified). */
  readonly presentedJti: string;
  /** `jti` for the refresh token to issue if this call wins the rotation. */
  readonly nextJti: string;
  readonly now: number;
  /** Milliseconds after a rotation in which replaying the spent token is answered, not treated as theft. */
  readonly graceMs: number;
  /** New idle expiry: `now + idle timeout`, capped by the session's `expiresAt`. */
  readonly idleExpiresAt: number;
}

/**
 * - `rotated`: the presented token was the live one; `nextJti` is now live, the presented one spent.
 * - `grace`: the presented token was spent by a rotation less than `graceMs` ago (a concurrent
 *   refresh or a retry after a lost response); nothing changed; the caller re-issues a token for the
 *   live `refreshJti`, so there is still exactly one live refresh token id.
 * - `reused`: a spent token outside the grace window: theft. The store has already ended the session.
 * - `missing`: no such live session (ended, expired, evicted, or never existed).
 */
export type RotateRefreshResult =
  | { readonly outcome: 'rotated'; readonly session: SessionRecord }
  | { readonly outcome: 'grace'; readonly session: SessionRecord }
  | { readonly outcome: 'reused' }
  | { readonly outcome: 'missing' };

/** Why one session ended: its logout (or an end from another device), the per-user limit, refresh token reuse. */
export type SessionEndReason = 'logout' | 'limit' | 'reuse';

/**
 * Why a user's sessions or state changed: all sessions ended, all but one ended, the user deactivated
 * or reactivated, or only the cached profile changed.
 */
export type UserChangeReason = 'logout-all' | 'logout-others' | 'deactivated' | 'activated' | 'profile';

/**
 * Why sessions ended; published to every instance so caches and sockets can react at once. `reason`
 * is informational (metrics, audit): a listener must treat every `user` event as "ask again".
 */
export type RevocationEvent =
  | {
      readonly kind: 'session';
      readonly userId: string;
      readonly sessionId: string;
      readonly reason: SessionEndReason;
    }
  | { readonly kind: 'user'; readonly userId: string; readonly reason: UserChangeReason };

/** One login attempt, for throttling: which account, from which client. */
export interface LoginAttempt {
  /** The account tried: the username as the application's directory looks it up. */
  readonly account: string;
  /** Where the attempt came from: the client's IP address. */
  readonly client: string;
}

export interface LoginAttemptLimits {
  /** Attempts counted per account at one client within a window before refusals. */
  readonly maxPerAccount: number;
  /** Attempts counted per client, whatever the account, within a window. */
  readonly maxPerClient: number;
  /** The window: each counter ends this long after its first count. */
  readonly windowMs: number;
}

/** `allowed: false` until the blocking counter's window ends, `retryAfterMs` from now. */
export type LoginAttemptResult =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

export interface SessionStore {
  /**
   * How long the store keeps a user's non-default state (a deactivation) after its last change, in
   * milliseconds; `createAuth` refuses a store that would forget it before the longest session or
   * token of the user has ended. Leave it out if the store keeps user state for good.
   */
  readonly userStateTtlMs?: number;

  /**
   * Stores a new session and, atomically, ends the user's oldest sessions beyond `maxSessions`;
   * refuses (`user_inactive`) when the user is deactivated. Costs the same whatever the user's number
   * of sessions (at most logarithmic in it), like every per-session step below.
   */
  createSession(session: SessionRecord, options: CreateSessionOptions): Promise<CreateSessionResult>;

  /** The live session and the user's state, in one round trip (the per-request check in strict mode). */
  getSessionState(userId: string, sessionId: string, now: number): Promise<SessionState>;

  /**
   * Replaces the live session's claims and/or data, atomically (in Redis one script on the user's
   * keys), keeping everything else; `null` when the user has no such live session. Publishes nothing:
   * data is read from the store, and claims reach tokens at the session's next refresh.
   */
  updateSession(
    userId: string,
    sessionId: string,
    update: SessionUpdate,
    now: number,
  ): Promise<SessionRecord | null>;

  /** Records use: sets `lastSeenAt` and `idleExpiresAt` (and the key's expiry) if the session is live. */
  touchSession(userId: string, sessionId: string, now: number, idleExpiresAt: number): Promise<void>;

  /** Refresh rotation with reuse detection, atomically (see `RotateRefreshResult`). */
  rotateRefresh(input: RotateRefreshInput): Promise<RotateRefreshResult>;

  /** Ends one session; `false` when it was not live. Publishes a `session` revocation (reason `logout`). */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;

  /**
   * Ends every session of the user except `keepSessionId`, atomically (a password change keeps the
   * session that made it). Returns how many live sessions ended. Publishes a `user` revocation.
   */
  revokeOtherSessions(userId: string, keepSessionId: string): Promise<number>;

  /** Ends every session of the user. Returns how many live sessions ended. Publishes a `user` revocation. */
  revokeAllSessions(userId: string): Promise<number>;

  /**
   * The user's live sessions, newest first, at most `limit` of them (the cost of a listing is bounded
   * whatever the user's number of sessions).
   */
  listSessions(userId: string, now: number, limit: number): Promise<SessionRecord[]>;

  /** Marks the user active or not. Deactivating also ends all their sessions, in the same atomic step. */
  setUserActive(userId: string, active: boolean, now: number): Promise<void>;

  /** The cached user profile (the application's own JSON), or `null`. */
  getCachedUser(userId: string): Promise<string | null>;
  /** Caches the profile for `ttlMs`. */
  setCachedUser(userId: string, profileJson: string, ttlMs: number): Promise<void>;
  /** Drops the cached profile and publishes a `user` revocation so other instances drop theirs. */
  deleteCachedUser(userId: string): Promise<void>;

  /**
   * Revocation events from every instance sharing the store (including this one). The listener also
   * learns when the channel is lost (`'down'`) and back (`'up'`): a cache must not be trusted across a
   * gap. A new listener hears `'up'` first, once the channel is established (at once if it already
   * is), and nothing before; until then it must not trust a cache either. Returns an unsubscribe
   * function.
   */
  subscribe(listener: (event: RevocationEvent | 'down' | 'up') => void): () => void;

  /**
   * Login throttling, one atomic step: refuses while the account's count at this client or the
   * client's count has reached its limit; otherwise counts the attempt in both. Attempts are counted
   * when they start, so concurrent ones cannot overshoot a limit; a success is taken back with
   * `forgetLoginAttempt`. Counters use the store's own clock.
   */
  countLoginAttempt(attempt: LoginAttempt, limits: LoginAttemptLimits): Promise<LoginAttemptResult>;
  /** A successful login: clears the account's count at this client and takes the attempt off the client's. */
  forgetLoginAttempt(attempt: LoginAttempt): Promise<void>;

  /** Resolves when the store answers; rejects otherwise (for health checks). */
  ping(): Promise<void>;

  /** Releases what the store itself opened (subscriptions); never closes the caller's client. */
  close(): Promise<void>;
}
