/**
 * What counting costs on the request path: `auth.authenticate()` in a loop, cached mode on the memory
 * store (so the check itself is cheap and any metrics overhead would show), with metrics on and off,
 * alternating rounds, medians reported. Run: npx tsx --conditions=authjwt-source bench/metrics-cost.ts
 */
import { createAuth } from 'authjwt';

const rounds = 9;
const roundMs = 400;

async function makeCase(enabled: boolean) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: 'metrics-cost-bench-secret-0123456789' },
    metrics: { enabled },
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const { accessToken } = await auth.login({ subject: 'alice' });
  return { auth, accessToken };
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

const on = await makeCase(true);
const off = await makeCase(false);
const results = { on: [] as number[], off: [] as number[] };
await opsPerSecond(() => on.auth.authenticate(on.accessToken));
await opsPerSecond(() => off.auth.authenticate(off.accessToken));
for (let round = 0; round < rounds; round++) {
  results.on.push(await opsPerSecond(() => on.auth.authenticate(on.accessToken)));
  results.off.push(await opsPerSecond(() => off.auth.authenticate(off.accessToken)));
}
const withMetrics = median(results.on);
const without = median(results.off);
console.log(
  `authenticate() with metrics: ${Math.round(withMetrics)}/s, without: ${Math.round(without)}/s, ratio ${(withMetrics / without).toFixed(3)}`,
);
console.log(
  `spread (min..max) with: ${Math.round(Math.min(...results.on))}..${Math.round(Math.max(...results.on))}, without: ${Math.round(Math.min(...results.off))}..${Math.round(Math.max(...results.off))}`,
);
