/**
 * What counting costs on the request path: `auth.authenticate()` in a loop with metrics on and off,
 * in two modes on the memory store (so the check itself is cheap and any metrics overhead would show):
 * - cached: the steady state, answered from memory (a verification counter and a cache hit);
 * - strict: one store call per request, which also times the call into the latency histogram.
 * Rounds alternate on and off (in turn first); the ratio is the median of the per-round ratios.
 * Run: npm run bench:metrics
 */
import { createAuth, type SessionOptions } from 'authjwt';

const rounds = 15;
const roundMs = 300;

async function makeCase(enabled: boolean, sessions: SessionOptions) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: 'metrics-cost-bench-secret-0123456789' },
    metrics: { enabled },
    sessions,
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const { accessToken } = await auth.login({ subject: 'alice' });
  return () => auth.authenticate(accessToken);
}

async function opsPerSecond(run: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < roundMs) {
    for (let i = 0; i < 100; i++) await run();
    count += 100;
  }
  return (count * 1000) / (performance.now() - started);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

for (const [mode, sessions] of [
  ['cached', { revocation: 'cached' }],
  ['strict', { revocation: 'strict' }],
] as const) {
  const on = await makeCase(true, sessions);
  const off = await makeCase(false, sessions);
  await opsPerSecond(on);
  await opsPerSecond(off);
  const results = { on: [] as number[], off: [] as number[], ratio: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? on : off;
    const second = first === on ? off : on;
    const a = await opsPerSecond(first);
    const b = await opsPerSecond(second);
    const [withMetrics, without] = first === on ? [a, b] : [b, a];
    results.on.push(withMetrics);
    results.off.push(without);
    results.ratio.push(withMetrics / without);
  }
  const spread = (values: number[]) =>
    `${Math.round(Math.min(...values))}..${Math.round(Math.max(...values))}`;
  console.log(
    `${mode}: authenticate() with metrics ${Math.round(median(results.on))}/s, without ${Math.round(median(results.off))}/s, ` +
      `ratio ${median(results.ratio).toFixed(3)} (per round ${Math.min(...results.ratio).toFixed(3)}..${Math.max(...results.ratio).toFixed(3)}); ` +
      `spread with ${spread(results.on)}, without ${spread(results.off)}`,
  );
}
