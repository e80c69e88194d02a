import { AuthError } from 'authjwt';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../build-app.js';
import type { User } from '../users/directory.js';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The password check of every route that takes one (login, cookie login, fresh): through the login
 * throttle, which refuses a username+IP or an IP over its limit (429) before any hashing, then the
 * bounded hashing (503 `server_busy` past it). An unknown username costs the same scrypt and counts
 * the same failure as a wrong password. The throttle counts each attempt before the check, so an
 * attempt shed with 503 stays counted: a flood gains no free guesses from being shed.
 */
export function createCredentialCheck({
  auth,
  users,
  passwords,
}: Pick<AppContext, 'auth' | 'users' | 'passwords'>) {
  return async function checkCredentials(
    request: FastifyRequest,
    { username, password }: Credentials,
  ): Promise<User> {
    const user = await auth.throttleLogin({ account: username, client: request.ip }, async () => {
      const stored = await users.find(username);
      return (await passwords.matches(password, stored?.password)) ? stored?.user : undefined;
    });
    // The right password of a deactivated user (checked here too, not only by the session store,
    // because the directory is where the app keeps the flag).
    if (!user.active) throw new AuthError('user_inactive');
    return user;
  };
}
