import type { AuthContext } from 'authjwt';
import type { AppContext } from '../context.js';
import { meResponse, newPasswordBody, noContent } from '../routes/schemas.js';
import type { User } from '../users/directory.js';
import { type AppRoute, noContentAnswer, notFound } from './types.js';

/** The signed-in user's own resources. */
export function accountRoutes({ auth, users, passwords }: AppContext): AppRoute[] {
  const tags = ['account'];

  const me: AppRoute = {
    method: 'GET',
    path: '/me',
    guard: { kind: 'requireAccess' },
    schema: { tags, summary: 'Who the access token belongs to', response: { 200: meResponse } },
    handle(request) {
      const context = request.auth;
      // The profile the library loaded (and caches) for this request: no second directory lookup.
      const user = context?.user as User | undefined;
      return {
        status: 200,
        json: {
          username: user?.username ?? context?.subject,
          roles: context?.roles ?? [],
          session_id: context?.sessionId,
        },
      };
    },
  };

  const changePassword: AppRoute<{ new_password: string }> = {
    method: 'POST',
    path: '/account/password',
    guard: { kind: 'requireFresh' },
    schema: {
      tags,
      summary: 'Change the password (needs a fresh token)',
      body: newPasswordBody,
      response: noContent,
    },
    async handle(request) {
      // Set by requireFresh; were it ever missing, logoutOthers would refuse it (token_invalid).
      const context = request.auth as AuthContext;
      const password = await passwords.hash(request.body.new_password);
      // Stored first (in Redis: every instance refuses the old password from now on), then every
      // other session ends: whoever knew the old password is out, this device stays.
      if (!(await users.setPassword(context.subject, password))) return notFound('No such user');
      await auth.logoutOthers(context);
      return noContentAnswer;
    },
  };

  return [me, changePassword];
}
