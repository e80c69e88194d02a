/** `setTimeout` cannot wait longer than this (about 24.8 days); longer waits are chained. */
const longestTimeoutMs = 2 ** 31 - 1;

/**
 * Runs `task` once the clock reaches `atMs` (milliseconds since the epoch), however far away, without
 * keeping the process alive. Returns the cancel function.
 */
export function runAt(atMs: number, task: () => void, clockMs: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = atMs - clockMs();
    if (wait <= 0) {
      timer = undefined;
      task();
      return;
    }
    timer = setTimeout(arm, Math.min(wait, longestTimeoutMs));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** Resolves after every microtask queued so far, and the I/O callbacks already due, have run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves after `ms`, without keeping the process alive. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
