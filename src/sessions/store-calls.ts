import type { Metrics } from '../metrics/metrics.js';
import { withDeadline } from './deadline.js';

/** Runs one store call under the deadline, timing it for the store latency histogram. */
export type StoreCall = <T>(operation: () => Promise<T>) => Promise<T>;

export function createStoreCall(timeoutMs: number, metrics: Metrics): StoreCall {
  return async (operation) => {
    const started = performance.now();
    let failed = true;
    try {
      const result = await withDeadline(operation, timeoutMs);
      failed = false;
      return result;
    } finally {
      metrics.storeCall((performance.now() - started) / 1000, failed);
    }
  };
}
