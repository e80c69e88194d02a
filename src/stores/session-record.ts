import type { SessionRecord } from './port.js';

/** What a per-request check needs of a session: the local cache keeps only this. */
export type SessionTimes = Pick<
  SessionRecord,
  'id' | 'userId' | 'createdAt' | 'lastSeenAt' | 'expiresAt' | 'idleExpiresAt'
>;

/** A session is live until the earlier of its idle expiry and its absolute end. */
export function sessionEnd(session: Pick<SessionRecord, 'expiresAt' | 'idleExpiresAt'>): number {
  return Math.min(session.expiresAt, session.idleExpiresAt);
}

export function isLive(session: Pick<SessionRecord, 'expiresAt' | 'idleExpiresAt'>, now: number): boolean {
  return now < sessionEnd(session);
}

/** Newest first; the session id breaks ties so both stores order the same way. */
export function newestFirst(a: SessionRecord, b: SessionRecord): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * A private copy with only the port's fields; claims and data go through JSON, as they do in Redis, so both
 * stores hand back the same shape and the caller cannot mutate what is stored.
 */
export function copySession(session: SessionRecord): SessionRecord {
  return {
    id: session.id,
    userId: session.userId,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    expiresAt: session.expiresAt,
    idleExpiresAt: session.idleExpiresAt,
    refreshJti: session.refreshJti,
    ...(session.userAgent === undefined ? {} : { userAgent: session.userAgent }),
    ...(session.ip === undefined ? {} : { ip: session.ip }),
    ...(session.previousRefreshJti === undefined ? {} : { previousRefreshJti: session.previousRefreshJti }),
    ...(session.rotatedAt === undefined ? {} : { rotatedAt: session.rotatedAt }),
    ...(session.claims === undefined ? {} : { claims: JSON.parse(JSON.stringify(session.claims)) }),
    ...(session.data === undefined ? {} : { data: JSON.parse(JSON.stringify(session.data)) }),
    ...(session.remember === false && { remember: false as const }),
  };
}
