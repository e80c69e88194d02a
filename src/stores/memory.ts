import { AuthConfigError } from '../errors.js';
import { type Duration, parseDuration } from '../internal/duration.js';
import { LoginAttemptCounters } from './login-attempt-counters.js';
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
} from './port.js';
import { RevocationListeners } from './revocation-listeners.js';
import { copySession, isLive, newestFirst } from './session-record.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The clock for the steps whose calls carry no time: the profile cache and the retention of user
   * state. Default `Date.now`. Session expiry uses the `now` the session layer passes in (and
   * revocation, which carries none, the latest such `now`).
   */
  readonly clock?: () => number;
  /**
   * How long a user's non-default state (inactive) is kept after its last change. Must exceed your
   * longest token lifetime; after it the store forgets the user, and the session layer's own
   * `isActive(user)` check on the loaded profile is what refuses a deactivated user. Default 30 days.
   */
  readonly userStateTtl?: Duration;
}

interface UserEntry {
  readonly sessions: Map<string, SessionRecord>;
  active: boolean;
  /** By the clock; only meaningful while the state is not the default. */
  stateExpiresAt: number;
  profile: { readonly json: string; readonly expiresAt: number } | undefined;
}

const defaultUser: UserState = Object.freeze({ active: true });
/**
 * Sessions the sweep looks at per store call: enough to keep up with any steady workload, and the
 * same small cost whatever one user holds.
 */
const sweepBatch = 16;

/** Where the sweep is: the user it is going through, and how far. */
interface SweepPosition {
  readonly userId: string;
  readonly entry: UserEntry;
  readonly sessions: Iterator<[string, SessionRecord]>;
}

/**
 * The embedded store: everything in this process's memory, correct within one process (two
 * instances of an app each with a memory store are two separate services). Expired sessions,
 * profiles and user state are dropped lazily: when touched, and by a sweep that looks at a few
 * entries on every call, so memory follows the live data. No per-session step costs
 * more for a user with many sessions, except a login that reaches `maxSessions` (which looks through
 * that many). Revocation events reach this store's own listeners only.
 */
export function memoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function')
    throw new AuthConfigError('clock', 'must be a function returning milliseconds');
  const userStateTtlMs = parseDuration('userStateTtl', options.userStateTtl ?? '30d') * 1000;
  return new MemorySessionStore(clock, userStateTtlMs);
}

class MemorySessionStore implements SessionStore {
  readonly #users = new Map<string, UserEntry>();
  readonly #listeners = new RevocationListeners(true);
  readonly #loginAttempts: LoginAttemptCounters;
  readonly #clock: () => number;
  readonly userStateTtlMs: number;
  /** The latest session time seen: the sweep's and revocation's notion of now for sessions. */
  #sessionNow = Number.NEGATIVE_INFINITY;
  #sweepUsers: Iterator<[string, UserEntry]> | undefined;
  #sweepPosition: SweepPosition | undefined;

  constructor(clock: () => number, userStateTtlMs: number) {
    this.#clock = clock;
    this.#loginAttempts = new LoginAttemptCounters(clock);
    this.userStateTtlMs = userStateTtlMs;
  }

  async createSession(session: SessionRecord, options: CreateSessionOptions): Promise<CreateSessionResult> {
    const now = this.#begin(options.now);
    const entry = this.#entry(session.userId);
    if (!this.#state(entry).active) return { outcome: 'user_inactive' };
    entry.sessions.delete(session.id);
    const evicted: string[] = [];
    // Only a user at the limit is looked through (ended sessions dropped, then the oldest evicted), so a
    // login costs the same for a user with 10,000 sessions as with one unless a limit is reached.
    if (options.maxSessions > 0 && entry.sessions.size >= options.maxSessions) {
      this.#dropEnded(entry, now);
      const oldestFirst = [...entry.sessions.values()].sort(newestFirst).reverse();
      const excess = Math.max(0, entry.sessions.size - options.maxSessions + 1);
      for (const old of oldestFirst.slice(0, excess)) {
        entry.sessions.delete(old.id);
        evicted.push(old.id);
        this.#publish({ kind: 'session', userId: session.userId, sessionId: old.id, reason: 'limit' });
      }
    }
    // The new session always stays: a login ends the older sessions, never itself.
    entry.sessions.set(session.id, copySession(session));
    return { outcome: 'created', evicted };
  }

  async getSessionState(userId: string, sessionId: string, now: number): Promise<SessionState> {
    // Looked up before the sweep, which may drop this very session now that it has ended.
    const stored = this.#users.get(userId)?.sessions.get(sessionId);
    this.#begin(now);
    const entry = this.#users.get(userId);
    const session = entry === undefined ? null : this.#live(entry, sessionId, now);
    return {
      session,
      user: this.#state(entry),
      ...(session === null && stored !== undefined && { ended: stored }),
    };
  }

  async updateSession(
    userId: string,
    sessionId: string,
    update: SessionUpdate,
    now: number,
  ): Promise<SessionRecord | null> {
    this.#begin(now);
    const entry = this.#users.get(userId);
    const session = entry === undefined ? null : this.#live(entry, sessionId, now);
    if (entry === undefined || session === null) return null;
    const { claims, data, ...kept } = session;
    const updated = copySession({
      ...kept,
      ...(update.claims === undefined
        ? claims !== undefined && { claims }
        : update.claims !== null && { claims: update.claims }),
      ...(update.data === undefined
        ? data !== undefined && { data }
        : update.data !== null && { data: update.data }),
    });
    entry.sessions.set(sessionId, updated);
    return updated;
  }

  async touchSession(userId: string, sessionId: string, now: number, idleExpiresAt: number): Promise<void> {
    this.#begin(now);
    const entry = this.#users.get(userId);
    const session = entry === undefined ? null : this.#live(entry, sessionId, now);
    if (entry === undefined || session === null) return;
    const idle = Math.min(idleExpiresAt, session.expiresAt);
    entry.sessions.set(sessionId, { ...session, lastSeenAt: now, idleExpiresAt: idle });
  }

  async rotateRefresh(input: RotateRefreshInput): Promise<RotateRefreshResult> {
    const now = this.#begin(input.now);
    const entry = this.#users.get(input.userId);
    const session = entry === undefined ? null : this.#live(entry, input.sessionId, now);
    if (entry === undefined || session === null) return { outcome: 'missing' };
    if (session.refreshJti === input.presentedJti) {
      const rotated: SessionRecord = {
        ...session,
        refreshJti: input.nextJti,
        previousRefreshJti: session.refreshJti,
        rotatedAt: now,
        lastSeenAt: now,
        idleExpiresAt: Math.min(input.idleExpiresAt, session.expiresAt),
      };
      entry.sessions.set(session.id, rotated);
      return { outcome: 'rotated', session: rotated };
    }
    if (
      session.previousRefreshJti === input.presentedJti &&
      session.rotatedAt !== undefined &&
      now - session.rotatedAt < input.graceMs
    ) {
      return { outcome: 'grace', session };
    }
    // A spent token outside the grace window, or one this session never issued: theft (RFC 9700 4.14.2).
    entry.sessions.delete(session.id);
    this.#publish({ kind: 'session', userId: input.userId, sessionId: session.id, reason: 'reuse' });
    return { outcome: 'reused' };
  }

  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    this.#begin();
    const entry = this.#users.get(userId);
    const session = entry?.sessions.get(sessionId);
    if (entry === undefined || session === undefined) return false;
    entry.sessions.delete(sessionId);
    if (!isLive(session, this.#revocationNow())) return false;
    this.#publish({ kind: 'session', userId, sessionId, reason: 'logout' });
    return true;
  }

  async revokeOtherSessions(userId: string, keepSessionId: string): Promise<number> {
    this.#begin();
    const entry = this.#users.get(userId);
    if (entry === undefined) return 0;
    const now = this.#revocationNow();
    let ended = 0;
    for (const [id, session] of entry.sessions) {
      if (id === keepSessionId) continue;
      if (isLive(session, now)) ended += 1;
      entry.sessions.delete(id);
    }
    this.#publish({ kind: 'user', userId, reason: 'logout-others' });
    return ended;
  }

  async revokeAllSessions(userId: string): Promise<number> {
    this.#begin();
    const entry = this.#users.get(userId);
    const now = this.#revocationNow();
    let ended = 0;
    if (entry !== undefined) {
      for (const session of entry.sessions.values()) if (isLive(session, now)) ended += 1;
      entry.sessions.clear();
    }
    this.#publish({ kind: 'user', userId, reason: 'logout-all' });
    return ended;
  }

  async listSessions(userId: string, now: number, limit: number): Promise<SessionRecord[]> {
    this.#begin(now);
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError('authjwt: limit must be a whole number >= 1');
    const entry = this.#users.get(userId);
    if (entry === undefined) return [];
    this.#dropEnded(entry, now);
    return [...entry.sessions.values()].sort(newestFirst).slice(0, limit);
  }

  async setUserActive(userId: string, active: boolean, now: number): Promise<void> {
    this.#begin(now);
    const entry = this.#entry(userId);
    this.#state(entry);
    entry.active = active;
    if (!active) {
      entry.sessions.clear();
      entry.stateExpiresAt = this.#clock() + this.userStateTtlMs;
    }
    this.#publish({ kind: 'user', userId, reason: active ? 'activated' : 'deactivated' });
  }

  async getCachedUser(userId: string): Promise<string | null> {
    this.#begin();
    const entry = this.#users.get(userId);
    const profile = entry?.profile;
    if (entry === undefined || profile === undefined) return null;
    if (profile.expiresAt > this.#clock()) return profile.json;
    entry.profile = undefined;
    return null;
  }

  async setCachedUser(userId: string, profileJson: string, ttlMs: number): Promise<void> {
    this.#begin();
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError('authjwt: ttlMs must be positive');
    this.#entry(userId).profile = { json: profileJson, expiresAt: this.#clock() + Math.ceil(ttlMs) };
  }

  async deleteCachedUser(userId: string): Promise<void> {
    this.#begin();
    const entry = this.#users.get(userId);
    if (entry !== undefined) entry.profile = undefined;
    this.#publish({ kind: 'user', userId, reason: 'profile' });
  }

  async countLoginAttempt(attempt: LoginAttempt, limits: LoginAttemptLimits): Promise<LoginAttemptResult> {
    this.#begin();
    return this.#loginAttempts.count(attempt, limits);
  }

  async forgetLoginAttempt(attempt: LoginAttempt): Promise<void> {
    this.#begin();
    this.#loginAttempts.forget(attempt);
  }

  subscribe(listener: (event: RevocationEvent | 'down' | 'up') => void): () => void {
    return this.#listeners.add(listener);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  /** Every call starts here: notes the session time and sweeps a few users. Returns `now`. */
  #begin(now?: number): number {
    if (now !== undefined && now > this.#sessionNow) this.#sessionNow = now;
    this.#sweepSome();
    return now ?? this.#sessionNow;
  }

  /** Revocation calls carry no time: a session counts as live by the latest session time seen. */
  #revocationNow(): number {
    return this.#sessionNow;
  }

  #entry(userId: string): UserEntry {
    let entry = this.#users.get(userId);
    if (entry === undefined) {
      entry = {
        sessions: new Map(),
        active: true,
        stateExpiresAt: 0,
        profile: undefined,
      };
      this.#users.set(userId, entry);
    }
    return entry;
  }

  #live(entry: UserEntry, sessionId: string, now: number): SessionRecord | null {
    const session = entry.sessions.get(sessionId);
    if (session === undefined) return null;
    if (isLive(session, now)) return session;
    entry.sessions.delete(sessionId);
    return null;
  }

  #dropEnded(entry: UserEntry, now: number): void {
    for (const [id, session] of entry.sessions) if (!isLive(session, now)) entry.sessions.delete(id);
  }

  /** The user's state, forgetting it once past its retention. */
  #state(entry: UserEntry | undefined): UserState {
    if (entry === undefined || entry.active) return defaultUser;
    if (entry.stateExpiresAt <= this.#clock()) {
      entry.active = true;
      return defaultUser;
    }
    return { active: false };
  }

  #sweepSome(): void {
    const clockNow = this.#clock();
    let budget = sweepBatch;
    while (budget > 0) {
      const position = this.#sweepPosition ?? this.#nextSweepUser();
      if (position === undefined) return;
      const { entry } = position;
      for (let step = position.sessions.next(); ; step = position.sessions.next()) {
        if (step.done === true) break;
        // Deleting the current entry while iterating a Map is safe; the iterator moves on.
        if (!isLive(step.value[1], this.#sessionNow)) entry.sessions.delete(step.value[0]);
        if (--budget === 0) return;
      }
      if (entry.profile !== undefined && entry.profile.expiresAt <= clockNow) entry.profile = undefined;
      const unused =
        entry.sessions.size === 0 && entry.profile === undefined && this.#state(entry) === defaultUser;
      if (unused && this.#users.get(position.userId) === entry) this.#users.delete(position.userId);
      this.#sweepPosition = undefined;
      budget -= 1;
    }
  }

  /** The next user to sweep, starting over after the last one (and stopping there for this call). */
  #nextSweepUser(): SweepPosition | undefined {
    this.#sweepUsers ??= this.#users.entries();
    const next = this.#sweepUsers.next();
    if (next.done === true) {
      this.#sweepUsers = undefined;
      return undefined;
    }
    const [userId, entry] = next.value;
    this.#sweepPosition = {
      userId,
      entry,
      sessions: entry.sessions.entries(),
    };
    return this.#sweepPosition;
  }

  #publish(event: RevocationEvent): void {
    this.#listeners.emit(event);
  }
}
