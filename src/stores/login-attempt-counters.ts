import type { LoginAttempt, LoginAttemptLimits, LoginAttemptResult } from './port.js';

interface Counter {
  count: number;
  readonly endsAt: number;
}

/** Counters per sweep step: a few, so the sweep's cost stays the same whatever is counted. */
const sweepBatch = 8;

/**
 * The memory store's login-attempt counters: fixed windows that start with their first count, the
 * same rules as the Redis script (login-attempt-scripts.ts). Ended counters go when next read and by
 * a sweep of a few on every call.
 */
export class LoginAttemptCounters {
  readonly #counters = new Map<string, Counter>();
  readonly #clock: () => number;
  #sweep: Iterator<[string, Counter]> | undefined;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  count(attempt: LoginAttempt, limits: LoginAttemptLimits): LoginAttemptResult {
    const now = this.#clock();
    this.#sweepSome(now);
    const keys = keysOf(attempt);
    const counters = [this.#live(keys.account, now), this.#live(keys.client, now)];
    const maxima = [limits.maxPerAccount, limits.maxPerClient];
    let retryAfterMs = 0;
    counters.forEach((counter, n) => {
      if (counter !== undefined && counter.count >= (maxima[n] ?? 0)) {
        retryAfterMs = Math.max(retryAfterMs, counter.endsAt - now);
      }
    });
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    for (const key of [keys.account, keys.client]) {
      const counter = this.#live(key, now);
      if (counter === undefined) this.#counters.set(key, { count: 1, endsAt: now + limits.windowMs });
      else counter.count += 1;
    }
    return { allowed: true };
  }

  forget(attempt: LoginAttempt): void {
    const keys = keysOf(attempt);
    this.#counters.delete(keys.account);
    const client = this.#live(keys.client, this.#clock());
    if (client !== undefined && client.count > 0) client.count -= 1;
  }

  #live(key: string, now: number): Counter | undefined {
    const counter = this.#counters.get(key);
    if (counter === undefined || counter.endsAt > now) return counter;
    this.#counters.delete(key);
    return undefined;
  }

  #sweepSome(now: number): void {
    this.#sweep ??= this.#counters.entries();
    for (let n = 0; n < sweepBatch; n += 1) {
      const next = this.#sweep.next();
      if (next.done === true) {
        this.#sweep = undefined;
        return;
      }
      if (next.value[1].endsAt <= now) this.#counters.delete(next.value[0]);
    }
  }
}

/** Map keys that no two different (client, account) pairs share, whatever their text. */
function keysOf(attempt: LoginAttempt): { account: string; client: string } {
  const client = `${attempt.client.length}:${attempt.client}`;
  return { client, account: `${client}${attempt.account}` };
}
