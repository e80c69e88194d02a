import type { RevocationEvent, SessionEndReason, UserChangeReason } from '../port.js';
import { RevocationListeners, type RevocationSignal } from '../revocation-listeners.js';
import type { RedisConnection, SubscriberConnection } from './connection.js';

const firstRetryMs = 100;
const lastRetryMs = 5000;

/**
 * The store's subscription to its revocation channel: one subscriber connection of its own, opened
 * with the first listener and closed with the last, reopened with backoff whenever it gives up.
 * Listeners hear `'up'` once the subscription is confirmed and `'down'` whenever it is not.
 */
export class RevocationChannel {
  readonly #redis: RedisConnection;
  readonly #channel: string;
  readonly #listeners = new RevocationListeners(false);
  #connection: SubscriberConnection | undefined;
  /** Identifies the current connection, so events from one we have let go of are ignored. */
  #generation = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = firstRetryMs;
  #closed = false;

  constructor(redis: RedisConnection, channel: string) {
    this.#redis = redis;
    this.#channel = channel;
  }

  subscribe(listener: (signal: RevocationSignal) => void): () => void {
    if (this.#closed) return () => {};
    const unsubscribe = this.#listeners.add(listener);
    if (this.#connection === undefined && this.#retryTimer === undefined) this.#open();
    return () => {
      unsubscribe();
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  close(): void {
    this.#closed = true;
    this.#stop();
    this.#listeners.clear();
  }

  #open(): void {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.#connection = this.#redis.openSubscriber(this.#channel, {
      message: (text) => {
        const event = current() ? parseRevocation(text) : undefined;
        if (event !== undefined) this.#listeners.emit(event);
      },
      up: () => {
        if (!current()) return;
        this.#retryMs = firstRetryMs;
        this.#listeners.setUp(true);
      },
      down: () => {
        if (current()) this.#listeners.setUp(false);
      },
      failed: () => {
        if (!current()) return;
        this.#listeners.setUp(false);
        this.#connection?.close();
        this.#connection = undefined;
        this.#generation += 1;
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#open();
        }, this.#retryMs);
        this.#retryTimer.unref();
        this.#retryMs = Math.min(this.#retryMs * 2, lastRetryMs);
      },
    });
  }

  #stop(): void {
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#connection?.close();
    this.#connection = undefined;
    this.#listeners.setUp(false);
  }
}

/**
 * Reads one message of the channel: `{"k":"s","u":userId,"s":sessionId,"r":reason}` or
 * `{"k":"u","u":userId,"r":reason}`, as the scripts publish them. Anything else (another version,
 * another writer) is ignored; an unknown reason reads as the most cautious one of its kind.
 */
export function parseRevocation(text: string): RevocationEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { k, u, s, r } = value as Record<string, unknown>;
  if (typeof u !== 'string') return undefined;
  if (k === 'u') {
    return {
      kind: 'user',
      userId: u,
      reason: userChangeReasons.has(r) ? (r as UserChangeReason) : 'logout-all',
    };
  }
  if (k === 's' && typeof s === 'string') {
    const reason = sessionEndReasons.has(r) ? (r as SessionEndReason) : 'logout';
    return { kind: 'session', userId: u, sessionId: s, reason };
  }
  return undefined;
}

const sessionEndReasons: ReadonlySet<unknown> = new Set<SessionEndReason>(['logout', 'limit', 'reuse']);
const userChangeReasons: ReadonlySet<unknown> = new Set<UserChangeReason>([
  'logout-all',
  'logout-others',
  'deactivated',
  'activated',
  'profile',
]);
