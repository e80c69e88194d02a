import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordHash } from './directory.js';
import type { HashingLimit } from './hashing-limit.js';

// node:crypto's scrypt defaults (N=16384, r=8, p=1): about 16 MiB and tens of milliseconds per hash.
const hashLength = 32;
const saltLength = 16;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, hashLength, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A new salt and the scrypt hash of `password` with it. Unbounded: for start-up, not for requests. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(saltLength);
  return { salt, hash: await derive(password, salt) };
}

/** Password hashing for requests: every scrypt goes through the hashing limit. */
export interface Passwords {
  /** A new hash for a password being set. */
  hash(password: string): Promise<PasswordHash>;
  /**
   * Whether `password` matches `stored`. With no stored hash (an unknown username) it hashes against a
   * dummy with the same parameters and answers `false`: the same work and time as a wrong password,
   * so neither tells which usernames exist.
   */
  matches(password: string, stored: PasswordHash | undefined): Promise<boolean>;
}

export async function createPasswords(limit: HashingLimit): Promise<Passwords> {
  const dummy = await hashPassword(randomBytes(16).toString('hex'));
  return {
    hash: (password) => limit.run(() => hashPassword(password)),
    async matches(password, stored) {
      const reference = stored ?? dummy;
      const candidate = await limit.run(() => derive(password, reference.salt));
      // timingSafeEqual throws on a length mismatch; a hash of another length matches nothing.
      const equal = candidate.length === reference.hash.length && timingSafeEqual(candidate, reference.hash);
      return equal && stored !== undefined;
    },
  };
}
