import type { AuthContext, SessionView } from 'authjwt';
import type { AppContext } from '../context.js';
import { noContent, sessionIdParams, sessionResponse } from '../routes/schemas.js';
import { type AppRoute, noContentAnswer, notFound } from './types.js';

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
export function sessionRoutes({ auth }: AppContext): AppRoute[] {
  const requireAccess = { kind: 'requireAccess' } as const;
  const tags = ['sessions'];

  const ending = (
    path: string,
    summary: string,
    end: (context: AuthContext) => Promise<unknown>,
  ): AppRoute => ({
    method: 'POST',
    path,
    guard: requireAccess,
    schema: { tags, summary, response: noContent },
    async handle(request) {
      if (request.auth) await end(request.auth);
      return noContentAnswer;
    },
  });

  const list: AppRoute = {
    method: 'GET',
    path: '/sessions',
    guard: requireAccess,
    schema: {
      tags,
      summary: "This user's live sessions",
      response: { 200: { type: 'array', items: sessionResponse } },
    },
    async handle(request) {
      const { subject, sessionId } = request.auth as AuthContext;
      return { status: 200, json: (await auth.listSessions(subject, sessionId)).map(sessionBody) };
    },
  };

  const remove: AppRoute<unknown, { id: string }> = {
    method: 'DELETE',
    path: '/sessions/:id',
    guard: requireAccess,
    schema: {
      tags,
      summary: "End one of this user's sessions (another device)",
      params: sessionIdParams,
      response: noContent,
    },
    async handle(request) {
      const { subject } = request.auth as AuthContext;
      // Another user's session id simply is not among this user's sessions: 404, no oracle.
      if (!(await auth.revokeSession(subject, request.params.id))) return notFound('No such session');
      return noContentAnswer;
    },
  };

  return [
    ending('/auth/logout', 'End this session', (context) => auth.logout(context)),
    ending('/auth/logout-all', 'End every session of this user', (context) =>
      auth.logoutAll(context.subject),
    ),
    ending('/auth/logout-others', 'End every session of this user but this one', (context) =>
      auth.logoutOthers(context),
    ),
    list,
    remove,
  ];
}
