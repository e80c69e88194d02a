import { AuthError } from '../errors.js';

/**
 * Runs one store call under the library's own deadline. A store that throws, or that has not answered
 * when the deadline passes, yields `store_unavailable`: authentication fails closed (503), never open,
 * and never hangs for as long as a Redis client's own defaults would.
 *
 * A late answer is dropped; a late rejection is swallowed (it would otherwise be unhandled).
 */
export function withDeadline<T>(operation: () => Promise<T>, deadlineMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new AuthError('store_unavailable', { reason: 'deadline' }));
    }, deadlineMs);
    let pending: Promise<T>;
    try {
      pending = operation();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          error instanceof AuthError
            ? error
            : new AuthError('store_unavailable', { reason: 'store_error', cause: error }),
        );
      },
    );
  });
}
