/** The open sockets, by user: what a revocation event (which names a user) needs to find. */
export class SocketRegistry<Entry> {
  readonly #byUser = new Map<string, Set<Entry>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(userId: string, entry: Entry): void {
    let entries = this.#byUser.get(userId);
    if (entries === undefined) {
      entries = new Set();
      this.#byUser.set(userId, entries);
    }
    if (entries.has(entry)) return;
    entries.add(entry);
    this.#size += 1;
  }

  remove(userId: string, entry: Entry): void {
    const entries = this.#byUser.get(userId);
    if (entries === undefined || !entries.delete(entry)) return;
    this.#size -= 1;
    if (entries.size === 0) this.#byUser.delete(userId);
  }

  /** A copy, so callers may close (and so remove) entries while going through it. */
  ofUser(userId: string): Entry[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  all(): Entry[] {
    return [...this.#byUser.values()].flatMap((entries) => [...entries]);
  }
}
