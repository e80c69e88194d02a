/**
 * The library's own counters and one latency histogram: plain numbers in plain objects, so that
 * counting costs a property increment on the request path. `snapshot()` copies them; `onEvent`
 * forwards each observation to OpenTelemetry, prom-client or anything else.
 */

export type MetricName =
  | 'verification'
  | 'external_verification'
  | 'key_set_fetch'
  | 'session_cache'
  | 'store_call'
  | 'store_error'
  | 'login'
  | 'refresh'
  | 'refresh_reuse_detected'
  | 'revocation';

/** One observation, as given to `metrics.onEvent`. */
export interface MetricEvent {
  readonly name: MetricName;
  /** 1 for counters; seconds for `store_call`. */
  readonly value: number;
  /** For example `{ outcome: 'token_expired' }`, `{ result: 'hit' }`, `{ kind: 'session' }`. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface MetricsOptions {
  /** Default true. `false` counts nothing (`metrics()` then stays at zero); for measuring their cost. */
  enabled?: boolean;
  /** Receives every observation; must not throw (errors are swallowed). */
  onEvent?: (event: MetricEvent) => void;
}

/** Upper bounds (seconds) of the store latency histogram buckets. */
export const storeLatencyBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

export interface MetricsSnapshot {
  /** Access-token verifications by outcome: `ok` or an error code. */
  readonly verifications: Readonly<Record<string, number>>;
  /** Verifications of tokens of the `externalIssuers`, by outcome: `ok` or an error code. */
  readonly externalVerifications: Readonly<Record<string, number>>;
  /** Key-set fetches (discovery included) per external issuer: those that gave a usable set, and the others. */
  readonly keySetFetches: Readonly<Record<string, { readonly ok: number; readonly failed: number }>>;
  readonly sessionCache: { readonly hits: number; readonly misses: number };
  readonly store: {
    readonly calls: number;
    readonly errors: number;
    /** Cumulative counts per bucket upper bound, as Prometheus has them. */
    readonly latency: {
      readonly buckets: readonly (readonly [number, number])[];
      readonly sum: number;
      readonly count: number;
    };
  };
  readonly logins: number;
  readonly refreshes: number;
  readonly refreshReuseDetected: number;
  /**
   * Revocations this instance made, by kind: `session` (a logout, one session ended from another
   * device, a limit eviction, reuse detection), `user` (logout-all, logout-others, a deactivation).
   */
  readonly revocations: Readonly<Record<string, number>>;
}

export class Metrics {
  readonly #onEvent: ((event: MetricEvent) => void) | undefined;
  readonly #enabled: boolean;
  /** Refused verifications by code; the accepted ones are counted in #verifiedOk. */
  readonly #verifications: Record<string, number> = {};
  #verifiedOk = 0;
  readonly #latencyCounts = new Array<number>(storeLatencyBuckets.length + 1).fill(0);
  readonly #revocations: Record<string, number> = { session: 0, user: 0 };
  readonly #externalVerifications: Record<string, number> = {};
  readonly #keySetFetches: Record<string, { ok: number; failed: number }> = {};
  #latencySum = 0;
  #storeCalls = 0;
  #storeErrors = 0;
  #logins = 0;
  #refreshes = 0;
  #reuse = 0;
  cacheHits = 0;
  cacheMisses = 0;

  constructor(options: MetricsOptions = {}) {
    this.#onEvent = options.onEvent;
    this.#enabled = options.enabled ?? true;
  }

  verification(outcome: string): void {
    if (!this.#enabled) return;
    // Every request passes here: the common outcome is a field, and labels are built only for a sink.
    if (outcome === 'ok') this.#verifiedOk++;
    else this.#verifications[outcome] = (this.#verifications[outcome] ?? 0) + 1;
    if (this.#onEvent !== undefined) this.#emit('verification', 1, { outcome });
  }

  externalVerification(outcome: string): void {
    if (!this.#enabled) return;
    this.#externalVerifications[outcome] = (this.#externalVerifications[outcome] ?? 0) + 1;
    if (this.#onEvent !== undefined) this.#emit('external_verification', 1, { outcome });
  }

  keySetFetch(issuer: string, ok: boolean): void {
    if (!this.#enabled) return;
    const counts = this.#keySetFetches[issuer] ?? { ok: 0, failed: 0 };
    this.#keySetFetches[issuer] = counts;
    if (ok) counts.ok++;
    else counts.failed++;
    this.#emit('key_set_fetch', 1, { issuer, result: ok ? 'ok' : 'failed' });
  }

  storeCall(seconds: number, failed: boolean): void {
    if (!this.#enabled) return;
    this.#storeCalls++;
    this.#latencySum += seconds;
    let bucket = 0;
    while (bucket < storeLatencyBuckets.length && seconds > (storeLatencyBuckets[bucket] as number)) bucket++;
    this.#latencyCounts[bucket] = (this.#latencyCounts[bucket] as number) + 1;
    this.#emit('store_call', seconds, {});
    if (failed) {
      this.#storeErrors++;
      this.#emit('store_error', 1, {});
    }
  }

  cache(hit: boolean): void {
    if (!this.#enabled) return;
    if (hit) this.cacheHits++;
    else this.cacheMisses++;
    if (this.#onEvent !== undefined) this.#emit('session_cache', 1, { result: hit ? 'hit' : 'miss' });
  }

  login(): void {
    if (!this.#enabled) return;
    this.#logins++;
    this.#emit('login', 1, {});
  }

  refresh(): void {
    if (!this.#enabled) return;
    this.#refreshes++;
    this.#emit('refresh', 1, {});
  }

  reuseDetected(): void {
    if (!this.#enabled) return;
    this.#reuse++;
    this.#emit('refresh_reuse_detected', 1, {});
  }

  revocation(kind: 'session' | 'user'): void {
    if (!this.#enabled) return;
    this.#revocations[kind] = (this.#revocations[kind] ?? 0) + 1;
    this.#emit('revocation', 1, { kind });
  }

  snapshot(): MetricsSnapshot {
    let cumulative = 0;
    const buckets = storeLatencyBuckets.map((bound, index) => {
      cumulative += this.#latencyCounts[index] as number;
      return [bound, cumulative] as const;
    });
    return {
      verifications: { ok: this.#verifiedOk, ...this.#verifications },
      externalVerifications: { ...this.#externalVerifications },
      keySetFetches: Object.fromEntries(
        Object.entries(this.#keySetFetches).map(([issuer, counts]) => [issuer, { ...counts }]),
      ),
      sessionCache: { hits: this.cacheHits, misses: this.cacheMisses },
      store: {
        calls: this.#storeCalls,
        errors: this.#storeErrors,
        latency: { buckets, sum: this.#latencySum, count: this.#storeCalls },
      },
      logins: this.#logins,
      refreshes: this.#refreshes,
      refreshReuseDetected: this.#reuse,
      revocations: { ...this.#revocations },
    };
  }

  #emit(name: MetricName, value: number, labels: Record<string, string>): void {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent({ name, value, labels });
    } catch {
      // A metrics sink must never break authentication.
    }
  }
}
