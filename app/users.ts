import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A user of the demo directory. The app's database would stand here. */
export interface User {
  id: string;
  username: string;
  roles: string[];
  active: boolean;
}

interface StoredUser extends User {
  salt: Buffer;
  hash: Buffer;
}

const hashLength = 32;

async function hashPassword(password: string, salt = randomBytes(16)) {
  return { salt, hash: await scryptAsync(password, salt, hashLength) };
}

/**
 * An in-process user directory with scrypt-hashed passwords (node:crypto). Unknown users still cost
 * one scrypt, so response time does not tell which usernames exist.
 */
export class UserDirectory {
  readonly #users = new Map<string, StoredUser>();
  #dummy: { salt: Buffer; hash: Buffer } | undefined;

  static async seeded(): Promise<UserDirectory> {
    const directory = new UserDirectory();
    await Promise.all([
      directory.add('alice', 'alice-pass', ['user']),
      directory.add('bob', 'bob-pass', ['user']),
      directory.add('admin', 'admin-pass', ['admin', 'user']),
    ]);
    directory.#dummy = await hashPassword(randomBytes(16).toString('hex'));
    return directory;
  }

  async add(username: string, password: string, roles: string[]): Promise<void> {
    const { salt, hash } = await hashPassword(password);
    this.#users.set(username, { id: username, username, roles, active: true, salt, hash });
  }

  /** The user when the password matches, else `undefined`; inactive users never match. */
  async verifyPassword(username: string, password: string): Promise<User | undefined> {
    const user = this.#users.get(username);
    const reference = user ?? this.#dummy;
    if (reference === undefined) return undefined;
    const candidate = await scryptAsync(password, reference.salt, hashLength);
    const matches = timingSafeEqual(candidate, reference.hash);
    return matches && user?.active ? publicView(user) : undefined;
  }

  async setPassword(username: string, password: string): Promise<boolean> {
    const user = this.#users.get(username);
    if (user === undefined) return false;
    Object.assign(user, await hashPassword(password));
    return true;
  }

  get(username: string): User | undefined {
    const user = this.#users.get(username);
    return user && publicView(user);
  }

  setActive(username: string, active: boolean): boolean {
    const user = this.#users.get(username);
    if (user === undefined) return false;
    user.active = active;
    return true;
  }

  get size(): number {
    return this.#users.size;
  }
}

function publicView(user: StoredUser): User {
  return { id: user.id, username: user.username, roles: [...user.roles], active: user.active };
}
