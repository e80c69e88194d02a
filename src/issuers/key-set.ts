import type { FetchImplementation, RemoteJWKSet } from 'jose/jwks/remote';
import type { Algorithm } from '../tokens/algorithms.js';
import { createJwsVerifier, type VerifiedJws } from '../tokens/jws.js';
import { type RemoteKeyRing, remoteKeyRing } from '../tokens/remote-keys.js';
import { fetchCapped } from './fetch.js';

/** How one issuer's key set is fetched and kept; all spans in milliseconds. */
export interface KeySetSettings {
  readonly algorithms: readonly Algorithm[];
  /** The `jwks_uri`: configured, or found by discovery (called until it succeeds once). */
  readonly locate: (signal: AbortSignal) => Promise<string>;
  /** At most one fetch starts per cooldown, whatever asks for it and whether it succeeds or not. */
  readonly cooldownMs: number;
  /** A set this old is refreshed in the background; requests go on with it meanwhile. */
  readonly maxAgeMs: number;
  /** How long past `maxAgeMs` the set still serves while refreshes fail; then nothing does. */
  readonly staleIfErrorMs: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxKeys: number;
  readonly maxTokenLength: number;
  /** Called after each fetched set replaced the previous one (the verified-token cache forgets). */
  readonly onReplaced: () => void;
  /** Called after each fetch (discovery included) with whether it gave a usable set: for metrics. */
  readonly onFetched: (ok: boolean) => void;
}

/** One fetched set: its keys, a verifier over exactly them, and when it was fetched. */
export interface KeySnapshot {
  readonly ring: RemoteKeyRing;
  /** The token layer's JWS check over exactly these keys (`payload`: already parsed, see createJwsVerifier). */
  readonly verify: (token: string, payload?: Record<string, unknown>) => VerifiedJws;
  readonly fetchedAt: number;
}

/** An issuer's keys, fetched and kept so that no token can turn into traffic or an outage. */
export interface RemoteKeySet {
  /**
   * The set to verify with now, `undefined` when there is none (never fetched, or older than
   * `maxAgeMs + staleIfErrorMs`). Synchronous; starts a background refresh when the set is old.
   */
  current(): KeySnapshot | undefined;
  /**
   * A fetch to wait for: the one in flight, else a new one unless one started within the cooldown
   * (then `undefined`: the caller refuses now). Never rejects: a failure is kept in `lastError`.
   */
  load(): Promise<void> | undefined;
  /** Why the last fetch failed; `undefined` after a success. */
  readonly lastError: unknown;
  /** Aborts a fetch in flight and starts no other. */
  close(): void;
}

/**
 * An issuer's key set. jose's `createRemoteJWKSet` fetches it: one request at a time, with a
 * deadline, no redirect followed, 200 and a JSON key set required; its `customFetch` hook caps the
 * body (jose reads any size) and lets `close()` abort. jose's own cooldown and maximum age are not
 * used: they only act when its resolver is asked for a key, its cooldown counts from the last
 * *successful* fetch (so while an issuer is down every unknown `kid` fetches again: measured, 100
 * tokens made 100 fetches), and past its maximum age it refuses every token until a fetch succeeds.
 * Here every fetch, for an unknown `kid`, a first load or a refresh, passes one gate of one
 * cooldown; refreshes run in the background; the last good set serves for a bounded time while the
 * issuer cannot be reached. The keys become node:crypto KeyObjects once per fetch and tokens are
 * verified by the token layer's own JWS code, synchronously.
 */
export function createRemoteKeySet(settings: KeySetSettings): RemoteKeySet {
  const closing = new AbortController();
  let remote: RemoteJWKSet | undefined;
  let snapshot: KeySnapshot | undefined;
  let inFlight: Promise<void> | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;
  const clock = () => performance.now();

  async function fetchSet(): Promise<void> {
    if (remote === undefined) {
      const uri = await settings.locate(closing.signal);
      const { createRemoteJWKSet, customFetch } = await import('jose/jwks/remote');
      const cappedFetch: FetchImplementation = (url, init) =>
        fetchCapped(
          url,
          { headers: init.headers, signal: AbortSignal.any([init.signal, closing.signal]) },
          settings.maxBytes,
        );
      remote = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: settings.timeoutMs,
        [customFetch]: cappedFetch,
      });
    }
    await remote.reload();
    const ring = remoteKeyRing(remote.jwks(), settings.algorithms, settings.maxKeys);
    const verifyCompact = createJwsVerifier(ring, settings.maxTokenLength);
    // A new verifier per set: its header cache must never resolve to a key the issuer withdrew.
    snapshot = { ring, verify: verifyCompact, fetchedAt: clock() };
    settings.onReplaced();
  }

  function load(): Promise<void> | undefined {
    if (inFlight !== undefined) return inFlight;
    const now = clock();
    if (closing.signal.aborted || now < lastAttemptAt + settings.cooldownMs) return undefined;
    lastAttemptAt = now;
    const attempt = fetchSet().then(
      () => {
        lastError = undefined;
        settings.onFetched(true);
      },
      (error: unknown) => {
        lastError = error;
        settings.onFetched(false);
      },
    );
    inFlight = attempt.finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    current() {
      const held = snapshot;
      if (held === undefined) return undefined;
      const age = clock() - held.fetchedAt;
      if (age < settings.maxAgeMs) return held;
      void load();
      return age < settings.maxAgeMs + settings.staleIfErrorMs ? held : undefined;
    },
    load,
    get lastError() {
      return lastError;
    },
    close() {
      closing.abort();
    },
  };
}
