import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';

/** Admin-only routes. */
export function adminRoutes({ users, startedAt }: AppContext): FastifyPluginAsync {
  return async (app) => {
    const { authjwt } = app;
    app.get(
      '/admin/stats',
      {
        onRequest: authjwt.requireRoles('admin'),
        schema: {
          tags: ['admin'],
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
  };
}
