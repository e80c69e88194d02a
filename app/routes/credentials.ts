import { AuthError } from 'authjwt';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../build-app.js';
import type { User } from '../users/directory.js';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The password check of every route that takes one (login, cookie login, fresh), through the bounded
 * hashing (503 `server_busy` past it). An unknown username costs the same scrypt as a wrong password.
 */
export function createCredentialCheck({ users, passwords }: Pick<AppContext, 'users' | 'passwords'>) {
  return async function checkCredentials(
    _request: FastifyRequest,
    { username, password }: Credentials,
  ): Promise<User> {
    const stored = await users.find(username);
    const user = (await passwords.matches(password, stored?.password)) ? stored?.user : undefined;
    if (user === undefined) throw new AuthError('invalid_credentials');
    // The right password of a deactivated user (checked here too, not only by the session store,
    // because the directory is where the app keeps the flag).
    if (!user.active) throw new AuthError('user_inactive');
    return user;
  };
}
