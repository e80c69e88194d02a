/**
 * One library, for one algorithm, in a worker thread of its own: its own V8 isolate, so its own
 * heap, garbage collector and JIT feedback, as in an application that loads only this library.
 * Sharing one isolate, every library's garbage and call-site types fell on the others: authjwt's
 * HMAC verify measured 0.86-0.92x raw with every library loaded and 0.94-0.99x beside any one peer.
 *
 * It answers the harness in isolated.ts: `warm-up` (calibrate the operations asked for), then `round`
 * messages, each timing one operation for the given milliseconds. Only one worker runs at a time.
 * The cases are a token library of peers.ts, or those a `casesModule` makes (bench/external.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTokenService } from 'authjwt';
import { checkEquivalent } from './equivalence.js';
import { type AccessHeader, type LibraryCases, population } from './fixture.js';
import type { KeyMaterial } from './keys.js';
import { type BenchFn, type Calibrated, type Clock, measureRound, warmUp } from './measure.js';
import { type LibrarySetup, libraries } from './peers.js';

export interface WorkerInput {
  readonly libraryId: string;
  readonly km: KeyMaterial;
  readonly header: AccessHeader;
  readonly tokens: readonly string[];
  /**
   * A module exporting `createCases(input)`, which sets up and checks this library's cases itself,
   * instead of the token libraries of peers.ts; `options` is plain data for it.
   */
  readonly casesModule?: string;
  readonly options?: unknown;
  /** What a round's rate is per: wall time (the default) or the process's CPU time (see measure.ts). */
  readonly clock?: Clock | undefined;
}

type Op = 'sign' | 'verify';

export type WorkerRequest =
  | { readonly type: 'warm-up'; readonly ms: number; readonly ops: readonly Op[] }
  | { readonly type: 'round'; readonly op: Op; readonly ms: number };

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'sample'; readonly opsPerSecond: number };

const port = parentPort;
if (port === null) throw new Error('library-worker.ts runs as a worker thread');
const input = workerData as WorkerInput;
const lib =
  input.casesModule === undefined
    ? await tokenLibraryCases(input)
    : await (
        (await import(input.casesModule)) as { createCases(input: WorkerInput): Promise<LibraryCases> }
      ).createCases(input);

async function tokenLibraryCases({ libraryId, km, header, tokens }: WorkerInput): Promise<LibraryCases> {
  const library = libraries.find((candidate) => candidate.id === libraryId);
  if (library === undefined) throw new Error(`unknown library ${libraryId}`);
  const key = km.secret ?? km.signingText;
  const setup: LibrarySetup = {
    km,
    header,
    service: createTokenService({ signingKey: { alg: km.alg, key }, verifiedTokenCache: 0 }),
    cachedService: createTokenService({ signingKey: { alg: km.alg, key } }),
  };
  const cases = await library.create(setup);
  await checkEquivalent(libraryId, cases, setup, tokens);
  return cases;
}

let next = 0;
const { tokens } = input;
// Every case cycles through `population` tokens (a power of two).
const token = () => tokens[next++ & (population - 1)] as string;
const benches: Record<Op, BenchFn> = lib.async
  ? { sign: { kind: 'async', fn: lib.sign }, verify: { kind: 'async', fn: () => lib.verify(token()) } }
  : { sign: { kind: 'sync', fn: lib.sign }, verify: { kind: 'sync', fn: () => lib.verify(token()) } };
const calibrated: Partial<Record<Op, Calibrated>> = {};

port.on('message', async (request: WorkerRequest) => {
  let reply: WorkerReply;
  if (request.type === 'warm-up') {
    for (const op of request.ops) calibrated[op] = await warmUp(benches[op], request.ms, input.clock);
    reply = { type: 'ready' };
  } else {
    const ready = calibrated[request.op];
    if (ready === undefined) throw new Error('round before warm-up');
    reply = { type: 'sample', opsPerSecond: await measureRound(ready, request.ms) };
  }
  port.postMessage(reply);
});
