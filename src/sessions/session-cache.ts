import type { Metrics } from '../metrics/metrics.js';
import type { RevocationEvent, SessionRecord, SessionStore, UserState } from '../stores/port.js';
import type { SessionTimes } from '../stores/session-record.js';

/** What the cache knows of one user: state, profile and sessions. */
interface UserEntry {
  state: UserState | undefined;
  profile: string | undefined;
  readonly sessions: Map<string, SessionSlot>;
  cachedAt: number;
}

/**
 * One cached session (`record` `null` = known to be ended). A verified token keeps its slot (see
 * `SlotHolder`), so the slot says itself whether it still stands: `live` turns false for good when
 * the cache forgets it or puts another slot in its place, and the holder looks the session up again.
 */
interface SessionSlot {
  record: SessionTimes | null;
  readonly cachedAt: number;
  live: boolean;
  readonly user: UserEntry;
  /**
   * The caller's last check of this session passed and stands until then (ms; 0: no pass): while the
   * slot is live, nothing it read can have changed before then (see `grantPass`).
   */
  passUntil: number;
  /** The session end that check found. */
  passEndsAt: number;
}

/**
 * Where a caller keeps a session's slot between checks: a verified token's cache entry. A holder
 * serves one cache: each auth instance makes its own token service, so its token entries meet only
 * its own session cache. A dead slot it still keeps (until the token's next check) is small garbage.
 */
export interface SlotHolder {
  session: unknown;
}

export interface SessionCacheOptions {
  /** Users kept; the oldest are dropped beyond it. */
  readonly maxUsers: number;
  /** Safety net for a lost invalidation message: entries older than this are read again. */
  readonly maxAgeMs: number;
  readonly clockMs: () => number;
  /** Counts every lookup as a hit or a miss. */
  readonly metrics?: Pick<Metrics, 'cache'>;
}

/** A fill ticket: the cache generation when a store read started. */
export type FillTicket = number;

/**
 * The per-request session and user-state check served from this process's memory, kept honest by
 * the store's revocation channel, so the steady-state check makes no store round trip.
 *
 * Rules that keep it safe:
 * - it is trusted only while the channel is up; `'down'` empties it and it is bypassed until `'up'`;
 * - every event bumps a generation, and a store read that started before a bump does not fill the
 *   cache (the read may predate the revocation the event announced);
 * - an entry is re-read once its session may have expired here (another instance may have extended
 *   it) or once it is older than `maxAgeMs`;
 * - a slot a token holds (`SlotHolder`) stands only while this cache holds it too;
 * - a pass (`grantPass`), which lets a token's next checks skip the check, holds only while its slot
 *   stands and no read of the user's state has come since, and never past what the slot may serve.
 */
export class SessionCache {
  readonly #users = new Map<string, UserEntry>();
  readonly #options: SessionCacheOptions;
  readonly #unsubscribe: () => void;
  #up = false;
  #generation = 0;

  constructor(store: SessionStore, options: SessionCacheOptions) {
    this.#options = options;
    this.#unsubscribe = store.subscribe((signal) => this.#onSignal(signal));
  }

  get trusted(): boolean {
    return this.#up;
  }

  /** Call before a store read whose answer may fill the cache. */
  ticket(): FillTicket {
    return this.#generation;
  }

  /**
   * The cached session (or `null` if known ended) and user state; `undefined` on a miss. `holder`,
   * when given, keeps the session's slot for the next call with the same ids, which then reads one
   * object instead of two maps and their entries.
   */
  session(
    userId: string,
    sessionId: string,
    now: number,
    holder?: SlotHolder,
  ): { session: SessionTimes | null; user: UserState } | undefined {
    if (!this.#up) return undefined;
    let slot = holder?.session as SessionSlot | undefined;
    if (slot === undefined || !slot.live) {
      slot = this.#users.get(userId)?.sessions.get(sessionId);
      if (holder !== undefined) holder.session = slot;
    }
    const state = slot?.user.state;
    if (slot === undefined || state === undefined || now >= this.#servableUntil(slot)) {
      this.#options.metrics?.cache(false);
      return undefined;
    }
    this.#options.metrics?.cache(true);
    return { session: slot.record, user: state };
  }

  /**
   * The session end of the holder's last check, when that check passed (`grantPass`) and still stands:
   * the steady state of a token used again, answered from the one slot it holds without reading the
   * session's record or its user (each another object, mostly out of the CPU's cache by then).
   */
  passed(holder: SlotHolder, now: number): number | undefined {
    const slot = holder.session as SessionSlot | undefined;
    if (slot === undefined || !slot.live || now >= slot.passUntil) return undefined;
    this.#options.metrics?.cache(true);
    return slot.passEndsAt;
  }

  /**
   * Records that the caller's check of the holder's session (just served by `session`) passed, with
   * the session end `endsAt`, and would pass the same way until `until` (ms) as long as nothing it
   * read changes. Anything that could change it takes the pass away: a revocation event, a channel
   * gap or an eviction retires the slot, a store read of the user's state drops the user's passes;
   * and the pass ends no later than the slot may be served (its age, the session's expiry here).
   */
  grantPass(holder: SlotHolder, until: number, endsAt: number): void {
    const slot = holder.session as SessionSlot | undefined;
    if (slot === undefined || !slot.live || slot.record === null) return;
    slot.passUntil = Math.min(until, this.#servableUntil(slot));
    slot.passEndsAt = endsAt;
  }

  fillSession(
    ticket: FillTicket,
    userId: string,
    sessionId: string,
    record: SessionRecord | null,
    user: UserState,
  ): void {
    if (!this.#up || ticket !== this.#generation) return;
    // Not the session asked for: leave the refusal to the caller, cache nothing.
    if (record !== null && (record.userId !== userId || record.id !== sessionId)) return;
    const entry = this.#entry(userId);
    const now = this.#options.clockMs();
    // The user's state as read now may differ from what the user's other sessions passed with.
    if (entry.state !== undefined) for (const slot of entry.sessions.values()) slot.passUntil = 0;
    entry.state = user;
    entry.cachedAt = now;
    this.#put(entry, sessionId, record === null ? null : times(record, userId, sessionId), now);
  }

  /** Keeps the cached copy in step with a touch this instance made. */
  touched(userId: string, sessionId: string, lastSeenAt: number, idleExpiresAt: number): void {
    const slot = this.#users.get(userId)?.sessions.get(sessionId);
    if (slot?.record) slot.record = { ...slot.record, lastSeenAt, idleExpiresAt };
  }

  profile(userId: string): string | undefined {
    if (!this.#up) return undefined;
    const entry = this.#users.get(userId);
    if (entry?.profile === undefined || this.#stale(entry.cachedAt, this.#options.clockMs()))
      return undefined;
    return entry.profile;
  }

  fillProfile(ticket: FillTicket, userId: string, profileJson: string): void {
    if (!this.#up || ticket !== this.#generation) return;
    const entry = this.#entry(userId);
    entry.profile = profileJson;
  }

  /**
   * A revocation this instance just made, applied at once rather than when its own announcement comes
   * back through the store's channel: the caller's `await logout()` means refused from here on.
   */
  apply(event: RevocationEvent): void {
    this.#generation++;
    this.#forget(event);
  }

  close(): void {
    this.#unsubscribe();
    this.#clear();
    this.#up = false;
  }

  /**
   * Until when (ms) a slot may be served: its age limit, and for a session not known to be ended its
   * end here (past it, another instance may have extended the session: read it again).
   */
  #servableUntil(slot: SessionSlot): number {
    const ageLimit = slot.cachedAt + this.#options.maxAgeMs;
    const record = slot.record;
    return record === null ? ageLimit : Math.min(ageLimit, record.expiresAt, record.idleExpiresAt);
  }

  #stale(cachedAt: number, now: number): boolean {
    return now - cachedAt >= this.#options.maxAgeMs;
  }

  /** Puts a slot for the session in the user's entry; the one it replaces stops standing. */
  #put(entry: UserEntry, sessionId: string, record: SessionTimes | null, now: number): void {
    const replaced = entry.sessions.get(sessionId);
    if (replaced !== undefined) replaced.live = false;
    entry.sessions.set(sessionId, {
      record,
      cachedAt: now,
      live: true,
      user: entry,
      passUntil: 0,
      passEndsAt: 0,
    });
  }

  /** Drops a user's entry; the slots tokens may still hold stop standing. */
  #drop(userId: string): void {
    const entry = this.#users.get(userId);
    if (entry === undefined) return;
    retire(entry);
    this.#users.delete(userId);
  }

  #entry(userId: string): UserEntry {
    let entry = this.#users.get(userId);
    if (entry === undefined) {
      if (this.#users.size >= this.#options.maxUsers) {
        // Maps iterate in insertion order: drop the oldest user.
        const oldest = this.#users.keys().next();
        if (oldest.done !== true) this.#drop(oldest.value);
      }
      entry = {
        state: undefined,
        profile: undefined,
        sessions: new Map(),
        cachedAt: this.#options.clockMs(),
      };
      this.#users.set(userId, entry);
    }
    return entry;
  }

  #onSignal(signal: RevocationEvent | 'down' | 'up'): void {
    this.#generation++;
    if (signal === 'up' || signal === 'down') {
      // Across a gap any event may have been missed: start empty either way.
      this.#clear();
      this.#up = signal === 'up';
      return;
    }
    this.#forget(signal);
  }

  #forget(event: RevocationEvent): void {
    if (event.kind === 'user') {
      this.#drop(event.userId);
      return;
    }
    // An ended session never comes back (ids are never reused): remember it as ended.
    const entry = this.#users.get(event.userId);
    if (entry !== undefined) this.#put(entry, event.sessionId, null, this.#options.clockMs());
  }

  #clear(): void {
    for (const entry of this.#users.values()) retire(entry);
    this.#users.clear();
  }
}

/** Marks every slot of a user's entry as no longer standing, as the entry leaves the cache. */
function retire(entry: UserEntry): void {
  for (const slot of entry.sessions.values()) slot.live = false;
}

/**
 * Only what a check needs (device, refresh ids and claims are read from the store where used): about
 * 600 fewer bytes of heap per cached session with a browser's user agent. The ids are the ones the
 * caller keys the cache by, so the strings are not held twice.
 */
function times(record: SessionRecord, userId: string, sessionId: string): SessionTimes {
  return {
    id: sessionId,
    userId,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: record.expiresAt,
    idleExpiresAt: record.idleExpiresAt,
  };
}
