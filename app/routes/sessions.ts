import type { SessionView } from 'authjwt';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';
import { notFound } from './not-found.js';

const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_seen_at: { type: 'string', format: 'date-time' },
    user_agent: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    current: { type: 'boolean' },
  },
} as const;

function sessionBody(session: SessionView) {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_seen_at: session.lastSeenAt.toISOString(),
    user_agent: session.userAgent ?? null,
    ip: session.ip ?? null,
    current: session.current,
  };
}

/** Logout, logout everywhere, and the user's sessions (one per device). */
export function sessionRoutes({ auth }: AppContext): FastifyPluginAsync {
  return async (app) => {
    const requireAccess = app.authjwt.requireAccess();
    const tags = ['sessions'];
    const noContent = { 204: { type: 'null' } };

    app.post(
      '/auth/logout',
      { onRequest: requireAccess, schema: { tags, summary: 'End this session', response: noContent } },
      async (request, reply) => {
        if (request.auth) await auth.logout(request.auth);
        return reply.code(204).send();
      },
    );

    app.post(
      '/auth/logout-all',
      {
        onRequest: requireAccess,
        schema: { tags, summary: 'End every session of this user', response: noContent },
      },
      async (request, reply) => {
        if (request.auth) await auth.logoutAll(request.auth.subject);
        return reply.code(204).send();
      },
    );

    app.post(
      '/auth/logout-others',
      {
        onRequest: requireAccess,
        schema: {
          tags,
          summary: 'End every session of this user but this one',
          response: noContent,
        },
      },
      async (request, reply) => {
        if (request.auth) await auth.logoutOthers(request.auth);
        return reply.code(204).send();
      },
    );

    app.get(
      '/sessions',
      {
        onRequest: requireAccess,
        schema: {
          tags,
          summary: "This user's live sessions",
          response: { 200: { type: 'array', items: sessionSchema } },
        },
      },
      async (request) => {
        const { subject, sessionId } = request.auth as { subject: string; sessionId: string | undefined };
        return (await auth.listSessions(subject, sessionId)).map(sessionBody);
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/sessions/:id',
      {
        onRequest: requireAccess,
        schema: {
          tags,
          summary: "End one of this user's sessions (another device)",
          params: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
          },
          response: noContent,
        },
      },
      async (request, reply) => {
        const subject = (request.auth as { subject: string }).subject;
        // Another user's session id simply is not among this user's sessions: 404, no oracle.
        if (!(await auth.revokeSession(subject, request.params.id)))
          return notFound(reply, 'No such session');
        return reply.code(204).send();
      },
    );
  };
}
