import type { AuthEvent, AuthEvents } from 'authjwt';
import type { AppLog } from './logging.js';

/**
 * The audit log of the reference app: one info line per session lifecycle event, with who, why and
 * from where, and never a token or a session id (the contract: no log line carries either). An
 * application that needs to tie events to sessions keeps the id in its own audit store, not here.
 */
export function auditLogEvents(log: AppLog): AuthEvents {
  const write = (message: string, event: AuthEvent, fields: Record<string, unknown>) =>
    log.info({ audit: event.type, userId: event.userId, ...fields }, message);
  return {
    onLogin: (event) =>
      write('session started', event, {
        remember: event.remember,
        ip: event.ip,
        userAgent: event.userAgent,
        expiresAt: event.expiresAt.toISOString(),
      }),
    onRefresh: (event) =>
      write('session refreshed', event, { outcome: event.outcome, ip: event.ip, userAgent: event.userAgent }),
    onReuseDetected: (event) =>
      log.warn(
        {
          audit: event.type,
          userId: event.userId,
          ip: event.ip,
          userAgent: event.userAgent,
          sessionIp: event.session.ip,
          sessionUserAgent: event.session.userAgent,
        },
        'refresh token reused: session ended',
      ),
    onRevoke: (event) =>
      write('sessions ended', event, {
        reason: event.reason,
        ...(event.count !== undefined && { count: event.count }),
      }),
    onSessionExpired: (event) =>
      write('session expired', event, {
        reason: event.reason,
        endedAt: event.endedAt.toISOString(),
        ip: event.ip,
        userAgent: event.userAgent,
      }),
    onEventError: (error) => log.error({ err: error }, 'audit log listener failed'),
  };
}
