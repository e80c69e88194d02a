/**
 * A small timing loop. Each case is calibrated during warm-up into batches of about 2 ms, so the
 * clock is read once per batch, not once per call; a round runs whole batches until its time is up
 * and reports calls divided by the elapsed time actually measured.
 */

export type BenchFn =
  | { readonly kind: 'sync'; readonly fn: () => unknown }
  | { readonly kind: 'async'; readonly fn: () => Promise<unknown> };

export interface Calibrated {
  readonly bench: BenchFn;
  readonly batch: number;
}

const batchTargetNs = 2e6;

/** Results land here so no call can be optimised away as unused. */
export let sink: unknown;

function runSync(fn: () => unknown, batch: number, ms: number): number {
  const deadline = ms * 1e6;
  const start = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) sink = fn();
    calls += batch;
    elapsed = Number(process.hrtime.bigint() - start);
  } while (elapsed < deadline);
  return (calls * 1e9) / elapsed;
}

async function runAsync(fn: () => Promise<unknown>, batch: number, ms: number): Promise<number> {
  const deadline = ms * 1e6;
  const start = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) sink = await fn();
    calls += batch;
    elapsed = Number(process.hrtime.bigint() - start);
  } while (elapsed < deadline);
  return (calls * 1e9) / elapsed;
}

/** One round: ops/s over `ms` milliseconds. */
export async function measureRound(calibrated: Calibrated, ms: number): Promise<number> {
  const { bench, batch } = calibrated;
  return bench.kind === 'sync' ? runSync(bench.fn, batch, ms) : runAsync(bench.fn, batch, ms);
}

/** Runs the case for `ms` to let the JIT settle, and sizes its batches from the rate seen. */
export async function warmUp(bench: BenchFn, ms: number): Promise<Calibrated> {
  // A short first pass with batches of one finds the order of magnitude, the second warms at size.
  let rate = await measureRound({ bench, batch: 1 }, Math.max(5, ms / 5));
  let batch = Math.max(1, Math.round((rate * batchTargetNs) / 1e9));
  rate = await measureRound({ bench, batch }, ms);
  batch = Math.max(1, Math.round((rate * batchTargetNs) / 1e9));
  return { bench, batch };
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
