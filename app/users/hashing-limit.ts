/**
 * Refusal of a request because the server is at its hashing limit: the client should retry shortly.
 * Answered 503 `server_busy` with `Retry-After: 1` (see app/error-handler.ts).
 */
export class ServerBusyError extends Error {
  override readonly name = 'ServerBusyError';
  readonly code = 'server_busy';

  constructor() {
    super('The server is busy; try again shortly');
  }
}

export interface HashingLimitOptions {
  /** Computations at once: about the libuv thread-pool size, which runs them. */
  concurrency: number;
  /** Computations that may wait for a free slot; past them, `run` refuses at once. */
  queue: number;
}

/** Runs at most `concurrency` computations at once, queues `queue` more, and refuses the rest. */
export interface HashingLimit {
  /** Runs `work` in a free slot, after waiting in the queue if need be; `ServerBusyError` when full. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * scrypt runs on libuv's thread pool, whose own queue has no bound: without this limit a login flood
 * queues hundreds of hashes and an honest login waits behind all of them. With it an honest login
 * waits for a few hashes at most, or is told at once to retry.
 */
export function createHashingLimit({ concurrency, queue }: HashingLimitOptions): HashingLimit {
  let running = 0;
  const waiting: (() => void)[] = [];

  function release() {
    const next = waiting.shift();
    // A freed slot goes straight to the first in the queue, so `running` stays as it is.
    if (next === undefined) running -= 1;
    else next();
  }

  return {
    async run(work) {
      if (running < concurrency) running += 1;
      else if (waiting.length < queue) await new Promise<void>((resolve) => waiting.push(resolve));
      else throw new ServerBusyError();
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
