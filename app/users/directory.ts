/** A user of the demo directory as the routes and the library's profile cache see it: no password in it. */
export interface User {
  id: string;
  username: string;
  roles: string[];
  active: boolean;
}

/** A password as the directory keeps it: an scrypt hash and its salt. */
export interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

/** A user with their password hash: one record of the directory. */
export interface StoredUser {
  user: User;
  password: PasswordHash;
}

/**
 * The demo user directory (the app's database would stand here): in memory with the memory store, in
 * Redis with the Redis store, so that every instance on one Redis sees one directory.
 */
export interface UserDirectory {
  /** The user and their password hash, or `undefined` for a username the directory does not hold. */
  find(username: string): Promise<StoredUser | undefined>;
  /** Replaces the user's password hash; `false` when there is no such user. */
  setPassword(username: string, password: PasswordHash): Promise<boolean>;
  /** Marks the user active or deactivated; `false` when there is no such user. */
  setActive(username: string, active: boolean): Promise<boolean>;
  /** How many users the directory holds. */
  readonly size: number;
}
