import type { RevocationEvent, SessionEndReason, UserChangeReason } from '../port.js';
import { RevocationListeners, type RevocationSignal } from '../revocation-listeners.js';
import {
  type ChannelProof,
  heartbeatIntervalMs,
  isHeartbeat,
  proofTimeoutMs,
  reopenAfterMs,
} from './channel-proof.js';
import type { RedisConnection, SubscriberConnection } from './connection.js';

const firstRetryMs = 100;
const lastRetryMs = 5000;

/**
 * The store's subscription to its revocation channel: one subscriber connection of its own, opened
 * with the first listener and closed with the last, reopened with backoff whenever it gives up.
 *
 * Listeners hear `'up'` only while the channel is proven: subscribed, and this instance's own
 * heartbeat heard back within `proofTimeoutMs` (see ChannelProof). Without proof the channel is
 * `'down'`, so caches are emptied and bypassed; a subscription without proof for `reopenAfterMs` is
 * given up and opened afresh. When the store turns out to have lost its data, listeners hear `'down'`
 * at once and `'up'` with the next proof: whatever they cached may describe sessions that are gone.
 */
export class RevocationChannel {
  readonly #redis: RedisConnection;
  readonly #channel: string;
  readonly #proof: ChannelProof;
  readonly #listeners = new RevocationListeners(false);
  #connection: SubscriberConnection | undefined;
  /** Identifies the current connection, so events from one we have let go of are ignored. */
  #generation = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** Fires `proofTimeoutMs` after the last proof: the channel is `down` from then until the next. */
  #proofTimer: NodeJS.Timeout | undefined;
  #retryMs = firstRetryMs;
  #closed = false;
  /** The connection says it is subscribed. */
  #subscribed = false;
  /** When the subscription was made or this instance's heartbeat last came back. */
  #provenAt = 0;

  constructor(redis: RedisConnection, channel: string, proof: ChannelProof) {
    this.#redis = redis;
    this.#channel = channel;
    this.#proof = proof;
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
        if (!current()) return;
        if (isHeartbeat(text)) {
          if (this.#proof.isOwnHeartbeat(text)) this.#proven();
          return;
        }
        const event = parseRevocation(text);
        if (event !== undefined) this.#listeners.emit(event);
      },
      up: () => {
        if (!current()) return;
        this.#retryMs = firstRetryMs;
        this.#subscribed = true;
        this.#provenAt = Date.now();
        this.#armProofTimer();
        // `up` waits for the first heartbeat to come back through the new subscription.
        void this.#beat();
      },
      down: () => {
        if (!current()) return;
        this.#subscribed = false;
        this.#listeners.setUp(false);
      },
      failed: () => {
        if (current()) this.#reopen();
      },
    });
    this.#heartbeatTimer ??= setInterval(() => this.#tick(), heartbeatIntervalMs);
    this.#heartbeatTimer.unref();
  }

  /** Gives up the current connection and opens another after a backoff. */
  #reopen(): void {
    this.#subscribed = false;
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
  }

  #proven(): void {
    this.#provenAt = Date.now();
    this.#armProofTimer();
    if (this.#subscribed) this.#listeners.setUp(true);
  }

  #armProofTimer(): void {
    clearTimeout(this.#proofTimer);
    this.#proofTimer = setTimeout(() => this.#listeners.setUp(false), proofTimeoutMs);
    this.#proofTimer.unref();
  }

  #tick(): void {
    if (this.#connection === undefined) return;
    if (this.#subscribed && Date.now() - this.#provenAt > reopenAfterMs) {
      this.#reopen();
      return;
    }
    void this.#beat();
  }

  async #beat(): Promise<void> {
    const result = await this.#proof.beat();
    if (result === 'lost') {
      // The store lost its data: whatever listeners cached may be gone. `up` returns with the proof
      // the next heartbeat's message brings back, sent at once.
      this.#listeners.setUp(false);
      void this.#proof.beat();
    }
  }

  #stop(): void {
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    clearTimeout(this.#proofTimer);
    this.#connection?.close();
    this.#connection = undefined;
    this.#subscribed = false;
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
