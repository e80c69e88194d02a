/**
 * The little a store needs from a Redis client, whatever its library: send one command, and open a
 * subscriber connection of its own. The adapters (node-redis*.ts, ioredis.ts) are the only code that
 * knows a client library.
 */
export interface RedisConnection {
  /** Which library and topology, for messages and tests. */
  readonly kind: 'node-redis' | 'node-redis-cluster' | 'node-redis-sentinel' | 'ioredis' | 'ioredis-cluster';
  /** Sends one command. `routingKey` picks the Cluster node; `undefined` means any node. */
  send(args: readonly string[], routingKey: string | undefined): Promise<unknown>;
  /**
   * Opens one subscriber connection (never the caller's) on `channel`. It reports `up` once subscribed,
   * `down` when the connection drops and `up` again once it has subscribed anew, and `failed` when it
   * has given up for good (the caller then closes it and opens another).
   */
  openSubscriber(channel: string, events: SubscriberEvents): SubscriberConnection;
  /** Stops watching the caller's client, where the adapter watches it (ioredis through Sentinels). */
  release?(): void;
}

export interface SubscriberEvents {
  message(text: string): void;
  up(): void;
  down(): void;
  failed(): void;
}

export interface SubscriberConnection {
  /** Closes the connection; no event follows. */
  close(): void;
}

/** Turns a reply that may be a Buffer (a client with a Buffer type mapping) into text. */
export function replyText(reply: unknown): string | null {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

/** The listener errors on connections the store opened go nowhere: they are reported as `down`. */
export function ignoreError(): void {}
