/**
 * A small timing loop. Each case is calibrated during warm-up into batches of about 2 ms, so the
 * clock is read once per batch, not once per call; a round runs whole batches until its time is up
 * and reports calls divided by the elapsed time actually measured: wall time, or with `clock: 'cpu'`
 * the CPU time of the whole process (process.cpuUsage), which leaves out the time the shared cores
 * gave to other processes (only one case runs at a time, the rest of the process waits).
 */

export type Clock = 'wall' | 'cpu';

const origin = process.hrtime.bigint();
const wallNs = () => Number(process.hrtime.bigint() - origin);
const cpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

export type BenchFn =
  | { readonly kind: 'sync'; readonly fn: () => unknown }
  | { readonly kind: 'async'; readonly fn: () => Promise<unknown> };

export interface Calibrated {
  readonly bench: BenchFn;
  readonly batch: number;
  readonly clock?: Clock;
}

const batchTargetNs = 2e6;

/** Results land here so no call can be optimised away as unused. */
export let sink: unknown;

function runSync(fn: () => unknown, batch: number, ms: number, now: () => number): number {
  const deadline = ms * 1e6;
  const start = now();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) sink = fn();
    calls += batch;
    elapsed = now() - start;
  } while (elapsed < deadline);
  return (calls * 1e9) / elapsed;
}

async function runAsync(
  fn: () => Promise<unknown>,
  batch: number,
  ms: number,
  now: () => number,
): Promise<number> {
  const deadline = ms * 1e6;
  const start = now();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) sink = await fn();
    calls += batch;
    elapsed = now() - start;
  } while (elapsed < deadline);
  return (calls * 1e9) / elapsed;
}

/** One round: ops/s over `ms` milliseconds. */
export async function measureRound(calibrated: Calibrated, ms: number): Promise<number> {
  const { bench, batch, clock } = calibrated;
  const now = clock === 'cpu' ? cpuNs : wallNs;
  return bench.kind === 'sync' ? runSync(bench.fn, batch, ms, now) : runAsync(bench.fn, batch, ms, now);
}

/** Runs the case for `ms` to let the JIT settle, and sizes its batches from the rate seen. */
export async function warmUp(bench: BenchFn, ms: number, clock: Clock = 'wall'): Promise<Calibrated> {
  // A short first pass with batches of one finds the order of magnitude, the second warms at size.
  let rate = await measureRound({ bench, batch: 1, clock }, Math.max(5, ms / 5));
  let batch = Math.max(1, Math.round((rate * batchTargetNs) / 1e9));
  rate = await measureRound({ bench, batch, clock }, ms);
  batch = Math.max(1, Math.round((rate * batchTargetNs) / 1e9));
  return { bench, batch, clock };
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The value at quantile `q` (0..1) by linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (position - low);
}

/** The per-round ratios a[i] / b[i] of two cases measured side by side in the same rounds. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  const length = Math.min(a.length, b.length);
  return Array.from({ length }, (_, i) => (a[i] as number) / (b[i] as number));
}
