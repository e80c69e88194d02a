import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';
import { notFound } from './not-found.js';
import { usernameParams } from './schemas.js';

/** Admin-only routes. */
export function adminRoutes({ auth, users, startedAt }: AppContext): FastifyPluginAsync {
  return async (app) => {
    const requireAdmin = app.authjwt.requireRoles('admin');
    const tags = ['admin'];

    app.get(
      '/admin/stats',
      {
        onRequest: requireAdmin,
        schema: {
          tags,
          summary: 'Service statistics (role admin)',
          response: {
            200: {
              type: 'object',
              properties: { users: { type: 'integer' }, uptime_seconds: { type: 'integer' } },
            },
          },
        },
      },
      async () => ({ users: users.size, uptime_seconds: Math.floor((Date.now() - startedAt) / 1000) }),
    );

    app.post<{ Params: { username: string } }>(
      '/admin/users/:username/deactivate',
      {
        onRequest: requireAdmin,
        schema: {
          tags,
          summary: 'Soft-delete a user: end their sessions, refuse their tokens and logins',
          params: usernameParams,
        },
      },
      async (request, reply) => {
        const user = (await users.find(request.params.username))?.user;
        if (user === undefined) return notFound(reply, 'No such user');
        // The directory refuses the user's logins and the library their tokens, on every instance.
        await users.setActive(user.username, false);
        await auth.deactivateUser(user.id);
        return reply.code(204).send();
      },
    );

    app.post<{ Params: { username: string } }>(
      '/admin/users/:username/activate',
      { onRequest: requireAdmin, schema: { tags, summary: 'Reactivate a user', params: usernameParams } },
      async (request, reply) => {
        const user = (await users.find(request.params.username))?.user;
        if (user === undefined) return notFound(reply, 'No such user');
        // Like deactivation: the directory (shared in Redis), then the library, which drops the
        // cached profile everywhere, so no instance keeps the deactivated one.
        await users.setActive(user.username, true);
        await auth.activateUser(user.id);
        return reply.code(204).send();
      },
    );
  };
}
