import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { WorkerInput, WorkerReply, WorkerRequest } from './library-worker.js';

const workerUrl = new URL('./library-worker-entry.mjs', import.meta.url);

/** The harness's handle on a library running in its own worker thread (see library-worker.ts). */
export class IsolatedLibrary {
  readonly #worker: Worker;
  readonly #failed: Promise<never>;

  constructor(input: WorkerInput) {
    // The worker inherits this process's execArgv: tsx's loader and the authjwt-source condition.
    this.#worker = new Worker(workerUrl, { workerData: input });
    this.#failed = once(this.#worker, 'error').then(([error]) => {
      throw new Error(`${input.km.alg} ${input.libraryId}: ${(error as Error).message}`);
    });
    this.#failed.catch(() => {});
  }

  /** Runs the operations (sign and verify unless told) until the JIT settles, and sizes their timing batches. */
  async warmUp(ms: number, ops: readonly ('sign' | 'verify')[] = ['sign', 'verify']): Promise<void> {
    await this.#ask({ type: 'warm-up', ms, ops });
  }

  /** Ops/s of one operation over `ms` milliseconds, timed inside the worker. */
  async round(op: 'sign' | 'verify', ms: number): Promise<number> {
    const reply = await this.#ask({ type: 'round', op, ms });
    if (reply.type !== 'sample') throw new Error(`unexpected reply ${reply.type}`);
    return reply.opsPerSecond;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  async #ask(request: WorkerRequest): Promise<WorkerReply> {
    const reply = once(this.#worker, 'message').then(([message]) => message as WorkerReply);
    this.#worker.postMessage(request);
    return Promise.race([reply, this.#failed]);
  }
}
