import type { Auth, AuthContext } from '../../auth.js';
import { AuthConfigError, AuthError, isAuthError } from '../../errors.js';
import { authSettingsOf } from '../../internal/auth-settings.js';
import type { RevocationEvent } from '../../stores/port.js';
import { createLimiter } from './limiter.js';
import { messageBytes, readAuthMessage } from './message.js';
import { resolveSocketSessionsOptions, type SocketSessionsOptions } from './options.js';
import { RevocationRaces } from './revocation-races.js';
import { closeQuietly, socketCloseCodes, type WebSocketLike } from './socket.js';
import { SocketRegistry } from './socket-registry.js';
import { nextTurn, pause, runAt } from './timers.js';
import type { AcceptOptions, SocketSessions } from './types.js';

type Phase = 'waiting' | 'authenticating' | 'starting' | 'open' | 'closed';

interface Tracked {
  readonly socket: WebSocketLike;
  readonly options: AcceptOptions;
  readonly settle: (context: AuthContext | undefined) => void;
  phase: Phase;
  /** Kept in memory (never logged) to check the socket again after a gap in the revocation channel. */
  token: string | undefined;
  context: AuthContext | undefined;
  /** Messages that came while authentication was in flight. */
  held: { data: Buffer; isBinary: boolean }[];
  /** The first-message deadline, then the expiry timer. */
  cancelTimer: (() => void) | undefined;
  checking: boolean;
  checkAgain: boolean;
}

const { unauthorized, tryAgainLater, policyViolation, internalError, goingAway } = socketCloseCodes;
/** `readyState` values of the WebSocket API. */
const readyStateClosing = 2;
const readyStateClosed = 3;
/** Authentications repeated because a revocation raced them, before giving up (1013). */
const maxRaces = 5;
/** How often sockets are checked against the store while the revocation channel is down. */
const recheckWhileDownMs = 2000;

/**
 * The socket guard: authenticates each socket (a token from the upgrade, or a first message within a
 * deadline), then closes it with 4401 the moment its session ends anywhere or its access token
 * expires. Revocations arrive as events (one subscription for all sockets), never by polling.
 */
export function createSocketSessions(auth: Auth, options: SocketSessionsOptions = {}): SocketSessions {
  if (auth === null || typeof auth !== 'object' || typeof auth.authenticate !== 'function') {
    throw new AuthConfigError('auth', 'must be an auth instance from createAuth()');
  }
  const { authTimeoutMs, maxAuthBytes, maxHeld, concurrency, retryDelays, recheckIntervalMs, onError } =
    resolveSocketSessionsOptions(options, authSettingsOf(auth)?.cacheMaxAgeMs);

  const everyone = new Set<Tracked>();
  const registry = new SocketRegistry<Tracked>();
  const limit = createLimiter(concurrency);
  let stopped = false;

  const races = new RevocationRaces();

  const unsubscribe = auth.onRevocation((signal) => {
    try {
      onSignal(signal);
    } catch (error) {
      report(error);
    }
  });

  /** Every socket, checked against the store again (its cache may have missed what happened). */
  function recheckAll(): void {
    for (const tracked of registry.all()) recheck(tracked);
  }

  // At least once per period every socket is checked against the store itself, whatever the channel
  // said or did not say: no socket outlives its session by more than that.
  const periodic = setInterval(recheckAll, recheckIntervalMs);
  periodic.unref();
  /** While the channel is down (revocations may be missed), sockets are checked every few seconds. */
  let whileDown: NodeJS.Timeout | undefined;

  function onSignal(signal: RevocationEvent | 'down' | 'up'): void {
    races.note(signal);
    if (signal === 'down' || signal === 'up') {
      // Events may have been missed: every socket is checked again, now and, while the channel stays
      // down, every few seconds.
      clearInterval(whileDown);
      whileDown = undefined;
      if (signal === 'down') {
        whileDown = setInterval(recheckAll, recheckWhileDownMs);
        whileDown.unref();
      }
      recheckAll();
      return;
    }
    for (const tracked of registry.ofUser(signal.userId)) {
      if (signal.kind === 'user') {
        // A user event is revoke-all, deactivation, or only a changed profile: ask, do not guess.
        recheck(tracked);
      } else if (tracked.context?.sessionId === signal.sessionId) {
        end(tracked, unauthorized, 'token_revoked');
      }
    }
  }

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // a failing error reporter must not take the socket guard down with it
    }
  }

  function accept(
    socket: WebSocketLike,
    acceptOptions: AcceptOptions = {},
  ): Promise<AuthContext | undefined> {
    return new Promise((settle) => {
      const tracked: Tracked = {
        socket,
        options: acceptOptions,
        settle,
        phase: 'waiting',
        token: undefined,
        context: undefined,
        held: [],
        cancelTimer: undefined,
        checking: false,
        checkAgain: false,
      };
      everyone.add(tracked);
      try {
        socket.on('message', (data, isBinary) => onMessage(tracked, data, isBinary === true));
        socket.on('close', () => forget(tracked));
        socket.on('error', () => end(tracked, internalError, 'socket_error'));
      } catch (error) {
        report(error);
        end(tracked, internalError, 'internal_error');
        return;
      }
      // Gone before we were handed it: its 'close' event has already fired and will not again.
      if (socket.readyState === readyStateClosing || socket.readyState === readyStateClosed) forget(tracked);
      else if (stopped) end(tracked, goingAway, 'server_closing');
      else if (acceptOptions.refusal !== undefined) refuse(tracked, acceptOptions.refusal);
      else if (acceptOptions.token !== undefined) void authenticate(tracked, acceptOptions.token);
      else {
        tracked.cancelTimer = runAt(Date.now() + authTimeoutMs, () =>
          end(tracked, unauthorized, 'auth_timeout'),
        );
      }
    });
  }

  function onMessage(tracked: Tracked, raw: unknown, isBinary: boolean): void {
    if (tracked.phase === 'closed') return;
    const data = messageBytes(raw);
    if (data === undefined) {
      end(tracked, policyViolation, 'unreadable_message');
      return;
    }
    switch (tracked.phase) {
      case 'waiting': {
        tracked.cancelTimer?.();
        const token =
          isBinary || data.length > maxAuthBytes ? undefined : readAuthMessage(data.toString('utf8'));
        if (token === undefined) end(tracked, unauthorized, 'auth_message_expected');
        else void authenticate(tracked, token);
        return;
      }
      case 'authenticating':
      case 'starting':
        if (tracked.held.length >= maxHeld) end(tracked, policyViolation, 'too_many_messages');
        else tracked.held.push({ data, isBinary });
        return;
      case 'open':
        deliver(tracked, data, isBinary);
        return;
    }
  }

  async function authenticate(tracked: Tracked, token: string): Promise<void> {
    tracked.phase = 'authenticating';
    tracked.token = token;
    races.begin();
    let context: AuthContext;
    try {
      context = await authenticateAfterRaces(token);
    } catch (error) {
      refuse(tracked, error);
      return;
    } finally {
      races.end();
    }
    // The peer may have gone away meanwhile (`phase` changes behind the await).
    if ((tracked.phase as Phase) === 'closed') return;
    start(tracked, context);
  }

  async function authenticateAfterRaces(token: string): Promise<AuthContext> {
    for (let race = 0; ; race += 1) {
      const mark = races.mark();
      const context = await auth.authenticate(token);
      // Answered from before a revocation of this user (or a gap)? The socket would miss it: ask again.
      if (!races.racedSince(mark, context.subject)) return context;
      if (race >= maxRaces) throw storeBusy();
      // Let the event reach every listener (the session cache drops what it announced), then ask again.
      await nextTurn();
    }
  }

  function start(tracked: Tracked, context: AuthContext): void {
    tracked.context = context;
    tracked.phase = 'starting';
    registry.add(context.subject, tracked);
    watchEnds(tracked, context);
    const { onAuthenticated } = tracked.options;
    void callHandler(tracked, () => onAuthenticated?.(context)).then(() => {
      if (tracked.phase !== 'starting') return;
      tracked.phase = 'open';
      for (const message of tracked.held.splice(0)) deliver(tracked, message.data, message.isBinary);
      tracked.settle(context);
    });
  }

  /**
   * Closes the socket when its access token expires, and checks it again when its session would end
   * by itself (idle timeout, absolute lifetime), which no revocation event announces: closed then
   * unless another request has used the session meanwhile (then watched until its new end).
   */
  function watchEnds(tracked: Tracked, context: AuthContext): void {
    tracked.cancelTimer?.();
    const expiresAt = context.claims.exp * 1000;
    const sessionEndsAt = context.sessionEndsAt;
    tracked.cancelTimer =
      sessionEndsAt === undefined || sessionEndsAt >= expiresAt
        ? runAt(expiresAt, () => end(tracked, unauthorized, 'token_expired'))
        : runAt(sessionEndsAt, () => recheck(tracked));
  }

  function deliver(tracked: Tracked, data: Buffer, isBinary: boolean): void {
    const context = tracked.context;
    if (tracked.phase !== 'open' || context === undefined) return;
    const { onText, onBinary } = tracked.options;
    if (!isBinary && onText !== undefined)
      void callHandler(tracked, () => onText(data.toString('utf8'), context));
    else if (isBinary && onBinary !== undefined) void callHandler(tracked, () => onBinary(data, context));
  }

  async function callHandler(tracked: Tracked, handler: () => void | Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (error) {
      report(error);
      end(tracked, internalError, 'internal_error');
    }
  }

  function recheck(tracked: Tracked): void {
    if (tracked.phase === 'closed') return;
    if (tracked.checking) {
      tracked.checkAgain = true;
      return;
    }
    tracked.checking = true;
    void limit(async () => {
      do {
        tracked.checkAgain = false;
        // Let the event reach every listener first (the session cache drops what it announced).
        await nextTurn();
        await checkOnce(tracked);
      } while (tracked.checkAgain && tracked.phase !== 'closed');
    })
      .catch(report)
      .finally(() => {
        tracked.checking = false;
      });
  }

  /** One re-check, retried while the store cannot answer, then failing closed. */
  async function checkOnce(tracked: Tracked): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const token = tracked.token;
      if (tracked.phase === 'closed' || token === undefined) return;
      try {
        const context = await auth.authenticate(token, { strict: true });
        // The socket may have closed during the await (`phase` changes behind it).
        if ((tracked.phase as Phase) !== 'closed') watchEnds(tracked, context);
        return;
      } catch (error) {
        const delay = retryDelays[attempt];
        if (!isStoreError(error) || delay === undefined) {
          refuse(tracked, error);
          return;
        }
        await pause(delay);
      }
    }
  }

  function refuse(tracked: Tracked, error: unknown): void {
    if (isStoreError(error)) end(tracked, tryAgainLater, 'store_unavailable');
    else if (isAuthError(error)) end(tracked, unauthorized, error.code);
    else {
      report(error);
      end(tracked, internalError, 'internal_error');
    }
  }

  function end(tracked: Tracked, code: number, reason: string): void {
    if (tracked.phase === 'closed') return;
    forget(tracked);
    closeQuietly(tracked.socket, code, reason);
  }

  /** Drops everything held for the socket: timers, messages, the token, its place in the registry. */
  function forget(tracked: Tracked): void {
    if (tracked.phase === 'closed') return;
    tracked.phase = 'closed';
    tracked.cancelTimer?.();
    tracked.cancelTimer = undefined;
    tracked.held = [];
    tracked.token = undefined;
    if (tracked.context !== undefined) registry.remove(tracked.context.subject, tracked);
    everyone.delete(tracked);
    tracked.settle(undefined);
  }

  return {
    accept,
    get size() {
      return registry.size;
    },
    close() {
      if (stopped) return;
      stopped = true;
      clearInterval(periodic);
      clearInterval(whileDown);
      unsubscribe();
      for (const tracked of [...everyone]) end(tracked, goingAway, 'server_closing');
    },
  };
}

function isStoreError(error: unknown): boolean {
  return isAuthError(error) && error.code === 'store_unavailable';
}

function storeBusy(): AuthError {
  return new AuthError('store_unavailable', { reason: 'revocation_race' });
}
