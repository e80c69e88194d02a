import { AuthError } from 'authjwt';
import type { AppContext } from '../context.js';
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
  return async function checkCredentials(ip: string, { username, password }: Credentials): Promise<User> {
    return auth.throttleLogin({ account: username, client: ip }, async () => {
      const stored = await users.find(username);
      if (!(await passwords.matches(password, stored?.password))) return undefined;
      // The right password of a deactivated user: refused, and still counted as a failed attempt
      // (thrown inside the check), so a deactivated account cannot be probed without limit.
      if (!stored?.user.active) throw new AuthError('user_inactive');
      return stored.user;
    });
  };
}
