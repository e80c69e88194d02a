import { AuthConfigError } from '../errors.js';

/** Where a request came from, as the application read it: for the audit log, never trusted. */
export interface RequestDevice {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** Why sessions ended, as `onRevoke` reports it. */
export type RevokeReason =
  /** The session's own logout. */
  | 'logout'
  /** One session ended by id (`revokeSession`: the sessions page, an operator). */
  | 'revoked'
  /** Every session of the user (`logoutAll`). */
  | 'logout-all'
  /** Every session but one (`logoutOthers`). */
  | 'logout-others'
  /** The oldest session, ended by a login beyond `sessions.maxSessions`. */
  | 'limit'
  /** The session whose spent refresh token came back (see `onReuseDetected`). */
  | 'reuse'
  /** Every session, by `deactivateUser`. */
  | 'deactivated';

/** A session started (`login`, or `freshAccessToken` without a session). */
export interface LoginEvent {
  readonly type: 'login';
  readonly at: Date;
  readonly userId: string;
  readonly sessionId: string;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  /** `false` for a session without "remember me". */
  readonly remember: boolean;
  readonly expiresAt: Date;
}

/** A refresh token was exchanged: `rotated`, or answered within the reuse grace (`grace`). */
export interface RefreshEvent {
  readonly type: 'refresh';
  readonly at: Date;
  readonly userId: string;
  readonly sessionId: string;
  readonly outcome: 'rotated' | 'grace';
  /** The device of the refresh request, when the caller passed it to `refresh`. */
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/**
 * A spent refresh token came back outside the grace window: it leaked (RFC 9700 section 4.14.2).
 * The session has ended (an `onRevoke` with reason `reuse` follows).
 */
export interface ReuseDetectedEvent {
  readonly type: 'reuse-detected';
  readonly at: Date;
  readonly userId: string;
  readonly sessionId: string;
  /** The device that presented the spent token (the thief or the victim: either may come second). */
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  /** The device that started the session, as recorded at login. */
  readonly session: { readonly ip: string | undefined; readonly userAgent: string | undefined };
}

/**
 * Sessions ended on this instance. One session: `sessionId` is set. Several (`logout-all`,
 * `logout-others`, `deactivated`): `sessionId` is absent, `count` says how many live ones ended where
 * the store tells (not for a deactivation), and `keptSessionId` names the one `logout-others` kept.
 */
export interface RevokeEvent {
  readonly type: 'revoke';
  readonly at: Date;
  readonly userId: string;
  readonly reason: RevokeReason;
  readonly sessionId?: string;
  readonly keptSessionId?: string;
  readonly count?: number;
}

/**
 * A refresh on this instance found its session's record still in the store but past its end. See
 * `AuthEvents.onSessionExpired` for what this does and does not see.
 */
export interface SessionExpiredEvent {
  readonly type: 'session-expired';
  readonly at: Date;
  readonly userId: string;
  readonly sessionId: string;
  /** `idle`: unused past `sessions.idleTimeout`; `absolute`: past its lifetime. */
  readonly reason: 'idle' | 'absolute';
  readonly endedAt: Date;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

export type AuthEvent = LoginEvent | RefreshEvent | ReuseDetectedEvent | RevokeEvent | SessionExpiredEvent;

type Listener<E> = (event: E) => void | Promise<void>;

/**
 * Session lifecycle listeners, for an audit log. Each fires once, on the instance where the fact
 * happened (not on every instance sharing the store), after the step that made it has finished, in a
 * later turn of the event loop (`setImmediate`): a listener never delays the response and is never
 * awaited, and none runs on the per-request check. A listener that throws or rejects changes nothing
 * for the caller; its error goes to `onEventError` (or is dropped). Events carry the session id, for
 * the audit log's own use; the library itself logs nothing.
 */
export interface AuthEvents {
  onLogin?: Listener<LoginEvent>;
  onRefresh?: Listener<RefreshEvent>;
  onReuseDetected?: Listener<ReuseDetectedEvent>;
  onRevoke?: Listener<RevokeEvent>;
  /**
   * Fires when a refresh finds the session's record still in the store past its idle or absolute end
   * (the refresh is refused with `token_revoked` as before). It is a sighting, not a timer: a session
   * nobody comes back to never fires it, nor one the store had already dropped (the memory store drops
   * ended sessions as it sweeps; Redis keeps a user's sessions until the last of them ends, so the
   * only session of a user is gone, and unseen, once it ended). A refresh token past its own `exp`
   * (which never outlives the session's absolute end) is refused before the store is asked.
   */
  onSessionExpired?: Listener<SessionExpiredEvent>;
  /** Receives what a listener threw or rejected with, and the event; its own errors are dropped. */
  onEventError?: (error: unknown, event: AuthEvent) => void;
}

const listenerOf = {
  login: 'onLogin',
  refresh: 'onRefresh',
  'reuse-detected': 'onReuseDetected',
  revoke: 'onRevoke',
  'session-expired': 'onSessionExpired',
} as const satisfies Record<AuthEvent['type'], keyof AuthEvents>;

/** Hands events to their listeners; `wants` tells the caller whether building an event is worth it. */
export interface EventEmitter {
  wants(type: AuthEvent['type']): boolean;
  emit(event: AuthEvent): void;
}

/** Validates the listeners once and returns the emitter the session layer calls. */
export function createEventEmitter(events: AuthEvents | undefined): EventEmitter {
  if (events === undefined) return { wants: () => false, emit: () => {} };
  if (events === null || typeof events !== 'object') {
    throw new AuthConfigError('events', 'must be an object of listener functions');
  }
  for (const name of [...Object.values(listenerOf), 'onEventError'] as const) {
    if (events[name] !== undefined && typeof events[name] !== 'function') {
      throw new AuthConfigError(`events.${name}`, 'must be a function');
    }
  }
  const listeners = { ...events };
  const failed = (error: unknown, event: AuthEvent) => {
    try {
      listeners.onEventError?.(error, event);
    } catch {
      // Nowhere left to report it: the library never logs, and authentication must not notice.
    }
  };
  return {
    wants: (type) => listeners[listenerOf[type]] !== undefined,
    emit(event) {
      const listener = listeners[listenerOf[event.type]] as Listener<AuthEvent> | undefined;
      if (listener === undefined) return;
      setImmediate(() => {
        try {
          const result = listener(event);
          if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
            (result as Promise<void>).then(undefined, (error: unknown) => failed(error, event));
          }
        } catch (error) {
          failed(error, event);
        }
      });
    },
  };
}
