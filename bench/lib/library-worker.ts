/**
 * One library, for one algorithm, in a worker thread of its own: its own V8 isolate, so its own
 * heap, garbage collector and JIT feedback, as in an application that loads only this library.
 * Sharing one isolate, every library's garbage and call-site types fell on the others: authjwt's
 * HMAC verify measured 0.86-0.92x raw with every library loaded and 0.94-0.99x beside any one peer.
 *
 * It answers the harness in isolated.ts: `warm-up` (calibrate sign and verify), then `round`
 * messages, each timing one operation for the given milliseconds. Only one worker runs at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTokenService } from 'authjwt';
import { checkEquivalent } from './equivalence.js';
import { type AccessHeader, population } from './fixture.js';
import type { KeyMaterial } from './keys.js';
import { type BenchFn, type Calibrated, measureRound, warmUp } from './measure.js';
import { type LibrarySetup, libraries } from './peers.js';

export interface WorkerInput {
  readonly libraryId: string;
  readonly km: KeyMaterial;
  readonly header: AccessHeader;
  readonly tokens: readonly string[];
}

export type WorkerRequest =
  | { readonly type: 'warm-up'; readonly ms: number }
  | { readonly type: 'round'; readonly op: 'sign' | 'verify'; readonly ms: number };

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'sample'; readonly opsPerSecond: number };

const port = parentPort;
if (port === null) throw new Error('library-worker.ts runs as a worker thread');
const { libraryId, km, header, tokens } = workerData as WorkerInput;
const library = libraries.find((candidate) => candidate.id === libraryId);
if (library === undefined) throw new Error(`unknown library ${libraryId}`);

const key = km.secret ?? km.signingText;
const setup: LibrarySetup = {
  km,
  header,
  service: createTokenService({ signingKey: { alg: km.alg, key }, verifiedTokenCache: 0 }),
  cachedService: createTokenService({ signingKey: { alg: km.alg, key } }),
};
const lib = await library.create(setup);
await checkEquivalent(libraryId, lib, setup, tokens);

let next = 0;
const token = () => tokens[next++ & (population - 1)] as string;
const benches: Record<'sign' | 'verify', BenchFn> = lib.async
  ? { sign: { kind: 'async', fn: lib.sign }, verify: { kind: 'async', fn: () => lib.verify(token()) } }
  : { sign: { kind: 'sync', fn: lib.sign }, verify: { kind: 'sync', fn: () => lib.verify(token()) } };
const calibrated: Partial<Record<'sign' | 'verify', Calibrated>> = {};

port.on('message', async (request: WorkerRequest) => {
  let reply: WorkerReply;
  if (request.type === 'warm-up') {
    calibrated.sign = await warmUp(benches.sign, request.ms);
    calibrated.verify = await warmUp(benches.verify, request.ms);
    reply = { type: 'ready' };
  } else {
    const ready = calibrated[request.op];
    if (ready === undefined) throw new Error('round before warm-up');
    reply = { type: 'sample', opsPerSecond: await measureRound(ready, request.ms) };
  }
  port.postMessage(reply);
});
