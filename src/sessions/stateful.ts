import { AuthError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RevocationEvent, SessionRecord, SessionState, SessionStore } from '../stores/port.js';
import { type SessionTimes, sessionEnd } from '../stores/session-record.js';
import type { TokenClaims } from '../tokens/claims.js';
import { randomId } from '../tokens/random-id.js';
import type { TokenService } from '../tokens/token-service.js';
import type { EventEmitter, RevokeReason } from './events.js';
import { deviceFields, issueTokenPair, signFreshToken } from './issue-tokens.js';
import type { ResolvedSessionOptions } from './options.js';
import type { SessionCache } from './session-cache.js';
import { sessionJson } from './session-data.js';
import { pairKey, SharedReads } from './shared-reads.js';
import type { SessionManager, SessionView } from './types.js';

export interface SessionDependencies {
  tokens: TokenService;
  store: SessionStore;
  options: ResolvedSessionOptions;
  /** Runs a store call under the deadline. */
  call: <T>(operation: () => Promise<T>) => Promise<T>;
  clockMs: () => number;
  /** The local cache in `'cached'` revocation mode. */
  cache: SessionCache | undefined;
  /** Counts sessions started, rotations, reuse and revocations where each happens. */
  metrics: Metrics;
  /** The application's lifecycle listeners, told of each fact where it happens. */
  events: EventEmitter;
}

/**
 * Sessions as records in the store (an allow list): a token is honoured only while its session is
 * live, so losing the store's data logs people out instead of reviving revoked tokens.
 */
export function createStatefulSessions({
  tokens,
  store,
  options,
  call,
  clockMs,
  cache,
  metrics,
  events,
}: SessionDependencies): SessionManager {
  const idleEnd = (now: number, sessionEnd: number) =>
    options.idleTimeoutMs === undefined ? sessionEnd : Math.min(now + options.idleTimeoutMs, sessionEnd);

  function sessionIdOf(claims: TokenClaims): string {
    if (claims.sid === undefined) throw new AuthError('token_invalid', { reason: 'sid_missing' });
    return claims.sid;
  }

  /** The session of a state read from the store or the cache, or the refusal it calls for. */
  function liveSessionOf<S extends SessionTimes>(
    state: { session: S | null; user: SessionState['user'] },
    userId: string,
  ): S {
    if (!state.user.active) throw new AuthError('user_inactive');
    if (state.session === null || state.session.userId !== userId) throw new AuthError('token_revoked');
    if (state.session.createdAt < options.notBeforeMs) {
      throw new AuthError('token_revoked', { reason: 'not_before' });
    }
    return state.session;
  }

  async function liveSession(userId: string, sessionId: string, now: number): Promise<SessionRecord> {
    return liveSessionOf(await call(() => store.getSessionState(userId, sessionId, now)), userId);
  }

  /** Sessions ended here, for the `onRevoke` listener (built only when there is one). */
  function revokeEvent(
    userId: string,
    reason: RevokeReason,
    detail: { sessionId?: string; keptSessionId?: string; count?: number },
  ): void {
    if (!events.wants('revoke')) return;
    events.emit({ type: 'revoke', at: new Date(clockMs()), userId, reason, ...detail });
  }

  /**
   * A session seen in the store past its end (see `AuthEvents.onSessionExpired`): reported, and
   * dropped from the store (nothing live ends, so nothing is published), so that the next refresh
   * of it does not report it again. Best effort: the refusal that follows does not depend on it.
   */
  async function sightedEnded(ended: SessionRecord, userId: string): Promise<void> {
    if (ended.userId !== userId || !events.wants('session-expired')) return;
    await call(() => store.revokeSession(userId, ended.id)).catch(() => {});
    events.emit({
      type: 'session-expired',
      at: new Date(clockMs()),
      userId,
      sessionId: ended.id,
      reason: ended.idleExpiresAt < ended.expiresAt ? 'idle' : 'absolute',
      endedAt: new Date(sessionEnd(ended)),
      ip: ended.ip,
      userAgent: ended.userAgent,
    });
  }

  /**
   * A revocation this instance made: it holds here at once, before its announcement comes back, and
   * is counted (`session` for one session ended, `user` for all of a user's) unless nothing ended.
   */
  function revokedHere(event: RevocationEvent, ended = true): void {
    cache?.apply(event);
    if (!ended || (event.kind === 'user' && event.reason === 'activated')) return;
    metrics.revocation(event.kind === 'session' ? 'session' : 'user');
  }

  async function createSession(input: {
    subject: string;
    claims: Readonly<Record<string, unknown>> | undefined;
    userAgent: string | undefined;
    ip: string | undefined;
    remember?: boolean | undefined;
    data?: unknown;
  }): Promise<SessionRecord> {
    if (input.remember !== undefined && typeof input.remember !== 'boolean') {
      throw new TypeError('authjwt: remember must be a boolean');
    }
    const data = input.data === undefined ? undefined : sessionJson('data', input.data, options.maxDataSize);
    const now = clockMs();
    const lifetime = input.remember === false ? options.shortLifetimeMs : options.absoluteLifetimeMs;
    const session: SessionRecord = {
      id: randomId(),
      userId: input.subject,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + lifetime,
      idleExpiresAt: idleEnd(now, now + lifetime),
      refreshJti: randomId(),
      ...deviceFields(input.userAgent, input.ip),
      ...(input.claims !== undefined && { claims: input.claims }),
      ...(data !== undefined && { data }),
      ...(input.remember === false && { remember: false as const }),
    };
    const result = await call(() => store.createSession(session, { maxSessions: options.maxSessions, now }));
    if (result.outcome === 'user_inactive') throw new AuthError('user_inactive');
    for (const sessionId of result.evicted) {
      revokedHere({ kind: 'session', userId: input.subject, sessionId, reason: 'limit' });
      revokeEvent(input.subject, 'limit', { sessionId });
    }
    if (events.wants('login')) {
      events.emit({
        type: 'login',
        at: new Date(now),
        userId: session.userId,
        sessionId: session.id,
        ip: session.ip,
        userAgent: session.userAgent,
        remember: session.remember !== false,
        expiresAt: new Date(session.expiresAt),
      });
    }
    return session;
  }

  /** Sessions whose touch is in flight: the requests that see the old last use meanwhile add none. */
  const touching = new Set<string>();

  function touch(session: SessionTimes, now: number): void {
    if (now - session.lastSeenAt < options.touchIntervalMs || touching.has(session.id)) return;
    touching.add(session.id);
    // Recording use is best effort: a failed touch must not fail a request the check already passed.
    const idleExpiresAt = idleEnd(now, session.expiresAt);
    call(() => store.touchSession(session.userId, session.id, now, idleExpiresAt))
      .then(
        () => cache?.touched(session.userId, session.id, now, idleExpiresAt),
        () => {},
      )
      .finally(() => touching.delete(session.id));
  }

  const sharedReads = new SharedReads();

  /** The session's state from the store; in cached mode one read serves concurrent misses, and fills the cache. */
  function readState(userId: string, sessionId: string, now: number): Promise<SessionState> {
    if (cache === undefined) return call(() => store.getSessionState(userId, sessionId, now));
    // A read that started before a revocation event must not fill the cache (see SessionCache).
    const ticket = cache.ticket();
    return sharedReads.run(pairKey(userId, sessionId), ticket, async () => {
      const state = await call(() => store.getSessionState(userId, sessionId, now));
      cache.fillSession(ticket, userId, sessionId, state.session, state.user);
      return state;
    });
  }

  return {
    async login(input) {
      const session = await createSession({
        subject: input.subject,
        claims: input.claims,
        userAgent: input.userAgent,
        ip: input.ip,
        remember: input.remember,
        data: input.data,
      });
      metrics.login();
      return issueTokenPair(tokens, {
        subject: input.subject,
        sessionId: session.id,
        refreshJti: session.refreshJti,
        accessClaims: input.claims,
        fresh: input.fresh ?? true,
        csrf: input.csrf === true ? randomId() : undefined,
        sessionEndsAt: session.expiresAt,
        nowMs: session.createdAt,
        remember: session.remember !== false,
      });
    },

    async refresh(claims, device = {}) {
      const sessionId = sessionIdOf(claims);
      if (claims.jti === undefined) throw new AuthError('token_invalid', { reason: 'jti_missing' });
      const now = clockMs();
      const state = await call(() => store.getSessionState(claims.sub, sessionId, now));
      if (state.session === null && state.ended !== undefined) await sightedEnded(state.ended, claims.sub);
      const session = liveSessionOf(state, claims.sub);
      const result = await call(() =>
        store.rotateRefresh({
          userId: claims.sub,
          sessionId,
          presentedJti: claims.jti as string,
          nextJti: randomId(),
          now,
          graceMs: options.graceMs,
          idleExpiresAt: idleEnd(now, session.expiresAt),
        }),
      );
      // RFC 9700 section 4.14.2: a spent refresh token presented again means it leaked; the store
      // has ended the session, so the thief's and the victim's tokens die together.
      if (result.outcome === 'reused') {
        revokedHere({ kind: 'session', userId: claims.sub, sessionId, reason: 'reuse' });
        metrics.reuseDetected();
        if (events.wants('reuse-detected')) {
          events.emit({
            type: 'reuse-detected',
            at: new Date(now),
            userId: claims.sub,
            sessionId,
            ip: device.ip,
            userAgent: device.userAgent,
            session: { ip: session.ip, userAgent: session.userAgent },
          });
        }
        revokeEvent(claims.sub, 'reuse', { sessionId });
        throw new AuthError('refresh_token_reused');
      }
      if (result.outcome === 'missing') throw new AuthError('token_revoked');
      metrics.refresh();
      if (events.wants('refresh')) {
        events.emit({
          type: 'refresh',
          at: new Date(now),
          userId: claims.sub,
          sessionId,
          outcome: result.outcome,
          ip: device.ip,
          userAgent: device.userAgent,
        });
      }
      const rotated = result.session;
      return issueTokenPair(tokens, {
        subject: claims.sub,
        sessionId,
        // In the grace window the live refresh token id is re-issued, so one id stays live.
        refreshJti: rotated.refreshJti,
        accessClaims: rotated.claims,
        fresh: false,
        // A cookie-mode session gets a new CSRF value with every rotation.
        csrf: claims.csrf === undefined ? undefined : randomId(),
        sessionEndsAt: rotated.expiresAt,
        nowMs: now,
        remember: rotated.remember !== false,
      });
    },

    checkLocally(claims, now, holder) {
      if (cache === undefined) return undefined;
      const passed = holder === undefined ? undefined : cache.passed(holder, now);
      if (passed !== undefined) return passed;
      const state = cache.session(claims.sub, sessionIdOf(claims), now, holder);
      if (state === undefined) return undefined;
      const session = liveSessionOf(state, claims.sub);
      touch(session, now);
      const endsAt = sessionEnd(session);
      // Until a touch is due, the same check would pass the same way: the token's next uses skip it.
      if (holder !== undefined) cache.grantPass(holder, session.lastSeenAt + options.touchIntervalMs, endsAt);
      return endsAt;
    },

    async check(claims) {
      const now = clockMs();
      const state = await readState(claims.sub, sessionIdOf(claims), now);
      const session = liveSessionOf(state, claims.sub);
      touch(session, now);
      return sessionEnd(session);
    },

    async freshAccessToken(input) {
      let sessionId = input.sessionId;
      if (sessionId === undefined) {
        sessionId = (
          await createSession({
            subject: input.subject,
            claims: input.claims,
            userAgent: input.userAgent,
            ip: input.ip,
          })
        ).id;
      } else {
        await liveSession(input.subject, sessionId, clockMs());
      }
      return signFreshToken(tokens, input, sessionId);
    },

    async logout(claims) {
      const sessionId = sessionIdOf(claims);
      const ended = await call(() => store.revokeSession(claims.sub, sessionId));
      revokedHere({ kind: 'session', userId: claims.sub, sessionId, reason: 'logout' });
      if (ended) revokeEvent(claims.sub, 'logout', { sessionId });
    },

    async logoutAll(userId) {
      const ended = await call(() => store.revokeAllSessions(userId));
      revokedHere({ kind: 'user', userId, reason: 'logout-all' });
      revokeEvent(userId, 'logout-all', { count: ended });
      return ended;
    },

    async logoutOthers(claims) {
      const keptSessionId = sessionIdOf(claims);
      const ended = await call(() => store.revokeOtherSessions(claims.sub, keptSessionId));
      revokedHere({ kind: 'user', userId: claims.sub, reason: 'logout-others' });
      revokeEvent(claims.sub, 'logout-others', { keptSessionId, count: ended });
      return ended;
    },

    async listSessions(userId, currentSessionId) {
      const sessions = await call(() => store.listSessions(userId, clockMs(), options.listLimit));
      return sessions
        .filter((session) => session.createdAt >= options.notBeforeMs)
        .map((session) => toView(session, currentSessionId));
    },

    async getSession(userId, sessionId, currentSessionId) {
      const state = await call(() => store.getSessionState(userId, sessionId, clockMs()));
      const session = state.session;
      if (session === null || session.userId !== userId || session.createdAt < options.notBeforeMs)
        return null;
      return toView(session, currentSessionId);
    },

    async updateSession(userId, sessionId, update) {
      if (update === null || typeof update !== 'object') {
        throw new AuthError('bad_request', { message: 'Session update must be an object' });
      }
      const checked = {
        ...(update.data !== undefined && {
          data: update.data === null ? null : sessionJson('data', update.data, options.maxDataSize),
        }),
        ...(update.claims !== undefined && {
          claims: update.claims === null ? null : sessionJson('claims', update.claims, options.maxDataSize),
        }),
      };
      const now = clockMs();
      const session = await call(() => store.updateSession(userId, sessionId, checked, now));
      if (session === null || session.createdAt < options.notBeforeMs) return null;
      return toView(session, undefined);
    },

    async revokeSession(userId, sessionId) {
      const ended = await call(() => store.revokeSession(userId, sessionId));
      // Dropped from the cache either way (the store is the truth); counted only when one ended.
      revokedHere({ kind: 'session', userId, sessionId, reason: 'logout' }, ended);
      if (ended) revokeEvent(userId, 'revoked', { sessionId });
      return ended;
    },

    async setUserActive(userId, active) {
      await call(() => store.setUserActive(userId, active, clockMs()));
      revokedHere({ kind: 'user', userId, reason: active ? 'activated' : 'deactivated' });
      if (!active) revokeEvent(userId, 'deactivated', {});
    },
  };
}

export function toView(session: SessionRecord, currentSessionId: string | undefined): SessionView {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt),
    lastSeenAt: new Date(session.lastSeenAt),
    expiresAt: new Date(Math.min(session.expiresAt, session.idleExpiresAt)),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
    remember: session.remember !== false,
    // A copy: the memory store hands out its own objects, which a caller must not reach.
    data: session.data === undefined ? undefined : JSON.parse(JSON.stringify(session.data)),
  };
}
