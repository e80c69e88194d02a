/*
 * The examples' demo users, the same file in each example: alice / alice-pass (role user) and
 * admin / admin-pass (roles admin and user). A real app keeps a salted hash per user in its database.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  readonly id: string;
  readonly roles: readonly string[];
}

const salt = randomBytes(16);
const hash = (password: string) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, 32, (error, key) => (error ? reject(error) : resolve(key))),
  );
const users = new Map([
  ['alice', { id: 'alice', roles: ['user'], hash: await hash('alice-pass') }],
  ['admin', { id: 'admin', roles: ['admin', 'user'], hash: await hash('admin-pass') }],
]);
// An unknown name is checked against this, so it takes the time a wrong password does.
const nobody = await hash(randomBytes(16).toString('hex'));

/** The `username` and `password` of a login body; empty strings where they are not strings. */
export function readCredentials(body: unknown): { username: string; password: string } {
  const { username, password } = (body ?? {}) as Record<string, unknown>;
  return {
    username: typeof username === 'string' ? username : '',
    password: typeof password === 'string' ? password : '',
  };
}

/** The user with this name and password, or null. */
export async function checkPassword(username: string, password: string): Promise<DemoUser | null> {
  const user = users.get(username);
  const matches = timingSafeEqual(await hash(password), user?.hash ?? nobody);
  return matches && user !== undefined ? { id: user.id, roles: user.roles } : null;
}
