import type { PasswordHash, StoredUser, User, UserDirectory } from './directory.js';

/** The directory in this process, for the memory store: one instance, so nothing to share. */
export class MemoryDirectory implements UserDirectory {
  // A Map, not an object: a username such as `__proto__` is just a key.
  readonly #users = new Map<string, StoredUser>();

  constructor(seeds: readonly StoredUser[]) {
    for (const seed of seeds) this.#users.set(seed.user.username, copy(seed));
  }

  async find(username: string): Promise<StoredUser | undefined> {
    const stored = this.#users.get(username);
    return stored && copy(stored);
  }

  async setPassword(username: string, password: PasswordHash): Promise<boolean> {
    const stored = this.#users.get(username);
    if (stored === undefined) return false;
    stored.password = password;
    return true;
  }

  async setActive(username: string, active: boolean): Promise<boolean> {
    const stored = this.#users.get(username);
    if (stored === undefined) return false;
    stored.user.active = active;
    return true;
  }

  get size(): number {
    return this.#users.size;
  }
}

/** Callers get copies, so nothing they change alters the directory behind its methods. */
function copy({ user, password }: StoredUser): StoredUser {
  const userCopy: User = { ...user, roles: [...user.roles] };
  return { user: userCopy, password };
}
