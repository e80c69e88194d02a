/**
 * Store reads shared by concurrent cache misses (`revocation: 'cached'` only).
 *
 * When a busy user's cache entry goes (its safety-net age ran out, the process started, the channel
 * came back), every request in flight for that user misses at once, and each would read the store
 * until the first answer fills the cache: measured in bench/http.ts, about a thousand identical reads
 * for 64 users under 50 connections. A miss joins a read of the same key already in flight instead,
 * but only if no revocation event arrived since that read began (the cache's generation is unchanged):
 * a request that came after an event must read after it, as it would have missed the cache anyway.
 * Joining a read in flight is what a cache hit is, a moment earlier.
 */
export class SharedReads {
  readonly #inFlight = new Map<string, { readonly generation: number; readonly read: Promise<unknown> }>();

  /** `read()`, unless a read of `key` begun at this same `generation` is still running: its answer. */
  run<T>(key: string, generation: number, read: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined && running.generation === generation) return running.read as Promise<T>;
    const entry = { generation, read: read() };
    this.#inFlight.set(key, entry);
    const settled = () => {
      if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
    };
    entry.read.then(settled, settled);
    return entry.read as Promise<T>;
  }
}

/** A map key for a (user, session) pair that no two different pairs share, whatever their text. */
export function pairKey(userId: string, sessionId: string): string {
  return `${userId.length}:${userId}${sessionId}`;
}
