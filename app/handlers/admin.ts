import type { AppContext } from '../context.js';
import { statsResponse, usernameParams } from '../routes/schemas.js';
import { type AppRoute, type GuardSpec, noContentAnswer, notFound } from './types.js';

/** Admin-only routes. */
export function adminRoutes({ auth, users, startedAt }: AppContext): AppRoute[] {
  const requireAdmin: GuardSpec = { kind: 'requireRoles', roles: ['admin'] };
  const tags = ['admin'];

  const stats: AppRoute = {
    method: 'GET',
    path: '/admin/stats',
    guard: requireAdmin,
    schema: { tags, summary: 'Service statistics (role admin)', response: { 200: statsResponse } },
    handle: () => ({
      status: 200,
      json: { users: users.size, uptime_seconds: Math.floor((Date.now() - startedAt) / 1000) },
    }),
  };

  const deactivate: AppRoute<unknown, { username: string }> = {
    method: 'POST',
    path: '/admin/users/:username/deactivate',
    guard: requireAdmin,
    schema: {
      tags,
      summary: 'Soft-delete a user: end their sessions, refuse their tokens and logins',
      params: usernameParams,
    },
    async handle(request) {
      const user = (await users.find(request.params.username))?.user;
      if (user === undefined) return notFound('No such user');
      // The directory refuses the user's logins and the library their tokens, on every instance.
      await users.setActive(user.username, false);
      await auth.deactivateUser(user.id);
      return noContentAnswer;
    },
  };

  const activate: AppRoute<unknown, { username: string }> = {
    method: 'POST',
    path: '/admin/users/:username/activate',
    guard: requireAdmin,
    schema: { tags, summary: 'Reactivate a user', params: usernameParams },
    async handle(request) {
      const user = (await users.find(request.params.username))?.user;
      if (user === undefined) return notFound('No such user');
      // Like deactivation: the directory (shared in Redis), then the library, which drops the
      // cached profile everywhere, so no instance keeps the deactivated one.
      await users.setActive(user.username, true);
      await auth.activateUser(user.id);
      return noContentAnswer;
    },
  };

  return [stats, deactivate, activate];
}
