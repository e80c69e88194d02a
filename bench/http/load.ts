/**
 * Load from this process with autocannon's programmatic API. Latency is taken from autocannon's
 * per-response event (hrtime, fractional milliseconds) rather than from its histogram, which
 * records whole milliseconds: at a few milliseconds per request that would make p99 a step function.
 */
import { performance } from 'node:perf_hooks';
import autocannon, { type Client, type RequestOptions } from 'autocannon';

export interface LoadShape {
  readonly connections: number;
  readonly seconds: number;
}

/** What to send: a fixed cycle of requests, or a per-connection set-up (refresh chains). */
export type LoadPlan =
  | { readonly kind: 'requests'; readonly requests: readonly RequestOptions[] }
  | { readonly kind: 'perConnection'; readonly setupClient: (client: Client) => void };

export interface LoadResult {
  /** 2xx responses per second. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly responses: number;
  /** Anything but a 2xx response, plus connection errors and timeouts. */
  readonly failures: number;
  readonly firstFailureStatus: number | undefined;
  readonly seconds: number;
}

class Samples {
  #values = new Float64Array(1 << 16);
  #length = 0;
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }
  quantile(q: number): number {
    // Typed arrays sort numerically.
    const sorted = this.#values.slice(0, this.#length).sort();
    return sorted.length === 0 ? Number.NaN : exactQuantile(sorted, q);
  }
}

/** The value at quantile `q` of a sorted array, by linear interpolation (as bench/lib/measure.ts does). */
function exactQuantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (position - low);
}

export function runLoad(url: string, plan: LoadPlan, shape: LoadShape): Promise<LoadResult> {
  const latencies = new Samples();
  let failures = 0;
  let firstFailureStatus: number | undefined;
  // autocannon rounds its own duration to 10 ms; short rounds want better.
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: shape.connections,
        pipelining: 1,
        duration: shape.seconds,
        timeout: 10,
        ...(plan.kind === 'requests' ? { requests: [...plan.requests] } : { setupClient: plan.setupClient }),
      },
      (error, result) => {
        if (error !== null) {
          reject(error);
          return;
        }
        const responses = result['2xx'];
        const seconds = (performance.now() - started) / 1000;
        resolve({
          rps: responses / seconds,
          p50: latencies.quantile(0.5),
          p99: latencies.quantile(0.99),
          responses,
          failures: failures + result.errors,
          firstFailureStatus,
          seconds,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) {
        latencies.push(ms);
      } else {
        failures++;
        firstFailureStatus ??= status;
      }
    });
  });
}
