import type { StoredUser } from './directory.js';
import { hashPassword } from './passwords.js';

/** The demo users of the contract (reference-app.md). */
const demoUsers = [
  { username: 'alice', password: 'alice-pass', roles: ['user'] },
  { username: 'bob', password: 'bob-pass', roles: ['user'] },
  { username: 'admin', password: 'admin-pass', roles: ['admin', 'user'] },
] as const;

/**
 * The demo users with freshly salted hashes, computed once at start-up (outside the request hashing
 * limit: nothing else is hashing yet). Each instance salts its own; the directory keeps whichever
 * record was there first.
 */
export async function hashedSeedUsers(): Promise<StoredUser[]> {
  return Promise.all(
    demoUsers.map(async ({ username, password, roles }) => ({
      user: { id: username, username, roles: [...roles], active: true },
      password: await hashPassword(password),
    })),
  );
}
