import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';

/** The signed-in user's own resources. */
export function accountRoutes({ users }: AppContext): FastifyPluginAsync {
  return async (app) => {
    const { authjwt } = app;
    const tags = ['account'];

    app.get(
      '/me',
      {
        onRequest: authjwt.requireAccess(),
        schema: {
          tags,
          summary: 'Who the access token belongs to',
          response: {
            200: {
              type: 'object',
              properties: {
                username: { type: 'string' },
                roles: { type: 'array', items: { type: 'string' } },
                session_id: { type: 'string' },
              },
            },
          },
        },
      },
      async (request) => {
        const auth = request.auth;
        const user = auth && users.get(auth.subject);
        return {
          username: user?.username ?? auth?.subject,
          roles: auth?.roles ?? [],
          session_id: auth?.sessionId,
        };
      },
    );

    app.post<{ Body: { new_password: string } }>(
      '/account/password',
      {
        onRequest: authjwt.requireFresh(),
        schema: {
          tags,
          summary: 'Change the password (needs a fresh token)',
          body: {
            type: 'object',
            required: ['new_password'],
            properties: { new_password: { type: 'string', minLength: 8, maxLength: 1024 } },
          },
          response: { 204: { type: 'null' } },
        },
      },
      async (request, reply) => {
        await users.setPassword((request.auth as { subject: string }).subject, request.body.new_password);
        return reply.code(204).send();
      },
    );
  };
}
