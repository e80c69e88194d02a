import type { AuthContext } from 'authjwt';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';
import type { User } from '../users/directory.js';
import { notFound } from './not-found.js';

/** The signed-in user's own resources. */
export function accountRoutes({ auth, users, passwords }: AppContext): FastifyPluginAsync {
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
        const context = request.auth;
        // The profile the library loaded (and caches) for this request: no second directory lookup.
        const user = context?.user as User | undefined;
        return {
          username: user?.username ?? context?.subject,
          roles: context?.roles ?? [],
          session_id: context?.sessionId,
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
        // Set by requireFresh; were it ever missing, logoutOthers would refuse it (token_invalid).
        const context = request.auth as AuthContext;
        const password = await passwords.hash(request.body.new_password);
        // Stored first (in Redis: every instance refuses the old password from now on), then every
        // other session ends: whoever knew the old password is out, this device stays.
        if (!(await users.setPassword(context.subject, password))) return notFound(reply, 'No such user');
        await auth.logoutOthers(context);
        return reply.code(204).send();
      },
    );
  };
}
