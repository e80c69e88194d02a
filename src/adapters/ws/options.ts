import { AuthConfigError } from '../../errors.js';
import { type Duration, parseDurationMs } from '../../internal/duration.js';

/** Options of {@link createSocketSessions}. Validated once, here. */
export interface SocketSessionsOptions {
  /**
   * How long a socket that brought no token at the upgrade has to send
   * `{"type":"auth","access_token":"..."}`. Default 5 seconds.
   */
  authTimeout?: Duration;
  /** Largest first message read, in bytes; a longer one is refused. Default 16384. */
  maxAuthMessageBytes?: number;
  /** Messages held while authentication is in flight; one more closes the socket (1008). Default 32. */
  maxHeldMessages?: number;
  /** Store calls at once when sockets are checked again (after a gap in the revocation channel). Default 16. */
  recheckConcurrency?: number;
  /**
   * The time between two checks of every open socket against the store, whatever the revocation
   * channel says: the longest a socket can outlive its session if every sign of its end were lost.
   * Default: the auth instance's `sessions.cache.maxAge` (60 s unless set), or 60 s in strict mode.
   */
  recheckInterval?: Duration;
  /**
   * Pauses between the attempts of a re-check while the store cannot answer; after the last the
   * socket is closed with 1013 (fail closed). Default `['250ms', '500ms', '1s', '2s']`.
   */
  storeRetryDelays?: readonly Duration[];
  /** Told of unexpected errors (a handler that threw). Default: a process warning. */
  onError?: (error: unknown) => void;
}

export interface ResolvedSocketSessionsOptions {
  readonly authTimeoutMs: number;
  readonly maxAuthBytes: number;
  readonly maxHeld: number;
  readonly concurrency: number;
  readonly retryDelays: readonly number[];
  readonly recheckIntervalMs: number;
  readonly onError: (error: unknown) => void;
}

/** Checks every option once, at construction; each message names the option. */
export function resolveSocketSessionsOptions(
  options: SocketSessionsOptions,
  cacheMaxAgeMs: number | undefined,
): ResolvedSocketSessionsOptions {
  const delays = options.storeRetryDelays ?? ['250ms', '500ms', '1s', '2s'];
  if (!Array.isArray(delays)) throw new AuthConfigError('storeRetryDelays', 'must be an array of durations');
  const retryDelays = delays.map((delay) =>
    parseDurationMs('storeRetryDelays', delay as Duration, { min: 0, max: 60_000 }),
  );
  const onError = options.onError ?? warn;
  if (typeof onError !== 'function') throw new AuthConfigError('onError', 'must be a function');
  return {
    authTimeoutMs: parseDurationMs('authTimeout', options.authTimeout ?? 5, { min: 1, max: 600_000 }),
    maxAuthBytes: wholeNumber('maxAuthMessageBytes', options.maxAuthMessageBytes, 16_384, 256, 1 << 20),
    maxHeld: wholeNumber('maxHeldMessages', options.maxHeldMessages, 32, 0, 10_000),
    concurrency: wholeNumber('recheckConcurrency', options.recheckConcurrency, 16, 1, 10_000),
    retryDelays: [...retryDelays],
    // A socket is trusted no longer than a cached session check would be.
    recheckIntervalMs:
      options.recheckInterval === undefined
        ? Math.max(1000, cacheMaxAgeMs ?? 60_000)
        : parseDurationMs('recheckInterval', options.recheckInterval, { min: 1000, max: 3_600_000 }),
    onError,
  };
}

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), {
    type: 'AuthjwtSocketError',
  });
}

function wholeNumber(option: string, value: number | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AuthConfigError(option, `must be a whole number between ${min} and ${max}`);
  }
  return value;
}
