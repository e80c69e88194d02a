import type { SessionView } from '../index.js';
import { CliError, exitCodes, usageError } from './exit-codes.js';
import type { CommandResult } from './output.js';
import type { OperatorStore } from './store-access.js';

/**
 * The user's live sessions, newest first (at most `--limit`), as the application's sessions page
 * lists them: id, times, IP and user agent. The id is shown because revoking one session needs it;
 * the refresh token id and the session's claims are never shown.
 */
export async function listSessions(store: OperatorStore, userId: string): Promise<CommandResult> {
  const sessions = await store.auth.listSessions(checkUserId(userId));
  const rows = sessions.map(sessionJson);
  const text =
    rows.length === 0
      ? `user ${JSON.stringify(userId)} has no live session`
      : [
          `user ${JSON.stringify(userId)}: ${rows.length} live session${rows.length === 1 ? '' : 's'}, newest first`,
          ...sessions.map(sessionLine),
        ].join('\n');
  return { exitCode: exitCodes.ok, text, json: { userId, sessions: rows } };
}

/** Ends one session on every instance (the session's `logout` revocation is published). */
export async function revokeSession(
  store: OperatorStore,
  userId: string,
  sessionId: string,
): Promise<CommandResult> {
  if (sessionId.length === 0) throw usageError('the session id is empty');
  const ended = await store.auth.revokeSession(checkUserId(userId), sessionId);
  if (!ended) {
    // Not echoed: the id the operator typed may be a live one of another user.
    throw new CliError('not_found', `user ${JSON.stringify(userId)} has no live session with that id`, {
      reason: 'session_not_found',
    });
  }
  return {
    exitCode: exitCodes.ok,
    text: `ended 1 session of user ${JSON.stringify(userId)}`,
    json: { userId, ended: 1 },
  };
}

/** Ends every session of the user on every instance (a `logout-all` revocation). */
export async function revokeAllSessions(store: OperatorStore, userId: string): Promise<CommandResult> {
  const ended = await store.auth.logoutAll(checkUserId(userId));
  return {
    exitCode: exitCodes.ok,
    text: `ended ${ended} session${ended === 1 ? '' : 's'} of user ${JSON.stringify(userId)}`,
    json: { userId, ended },
  };
}

export function checkUserId(userId: string): string {
  if (userId.length === 0) throw usageError('the user id is empty');
  return userId;
}

function sessionJson(session: SessionView) {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    ip: session.ip ?? null,
    userAgent: session.userAgent ?? null,
  };
}

function sessionLine(session: SessionView): string {
  const fields = [
    session.id,
    `created ${session.createdAt.toISOString()}`,
    `last seen ${session.lastSeenAt.toISOString()}`,
    `ends ${session.expiresAt.toISOString()}`,
    `ip ${session.ip ?? '-'}`,
    // A user agent is the client's text: quoted, so a crafted one cannot pass for another line or field.
    `agent ${session.userAgent === undefined ? '-' : JSON.stringify(session.userAgent)}`,
  ];
  return `  ${fields.join('  ')}`;
}
