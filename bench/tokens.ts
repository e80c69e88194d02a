/**
 * Token sign/verify throughput per algorithm: authjwt against jose, jsonwebtoken, fast-jwt and a raw
 * node:crypto floor, measured in one run on this machine. `npm run bench:tokens -- --help` for options.
 *
 * Method: every library runs in a worker thread of its own (bench/lib/library-worker.ts), one at a
 * time. Every case is warmed up and calibrated; then, per operation, many short rounds each run
 * every library once, back to back, in a rotating order. Ops/s is the median over the rounds; a ratio
 * is the median over the rounds of the ratio within the round (paired), which cancels the slow drift
 * of this machine's speed that would otherwise decide the comparison.
 */
import { arch, cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Algorithm, createTokenService } from 'authjwt';
import { parseArgs } from './lib/args.js';
import { type AccessHeader, decodeSegment, nextUser, population } from './lib/fixture.js';
import { IsolatedLibrary } from './lib/isolated.js';
import { keyMaterial } from './lib/keys.js';
import { median } from './lib/measure.js';
import { libraries } from './lib/peers.js';
import {
  type AlgorithmResult,
  consoleGoal,
  consoleTable,
  type Measured,
  markdownSection,
  type Row,
  writeSection,
} from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const resultsPath = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);

const selected = libraries.filter(
  (library) => !library.peer || args.libraries.length === 0 || args.libraries.includes(library.id),
);
for (const id of args.libraries) {
  if (!libraries.some((library) => library.id === id)) {
    console.error(`bench: unknown library "${id}" (${libraries.map((library) => library.id).join(', ')})`);
    process.exit(2);
  }
}

async function benchAlgorithm(alg: Algorithm): Promise<AlgorithmResult> {
  const km = keyMaterial(alg);
  // The full verify path, compared with raw and the peers (which cache nothing by default either). The
  // verified-token cache is measured on its own row: it answers repeat tokens without crypto.
  const service = createTokenService({
    signingKey: { alg, key: km.secret ?? km.signingText },
    verifiedTokenCache: 0,
  });
  const tokens = Array.from({ length: population }, () => service.signAccessToken(nextUser()).token);
  const header = decodeSegment(tokens[0] as string, 0) as unknown as AccessHeader;

  // Each library in a worker of its own (library-worker.ts says why); they load side by side, then
  // warm up one at a time, so calibration sees the machine as the rounds will.
  const running = selected
    .filter((library) => library.supports(alg))
    .map((library) => ({
      library,
      isolated: new IsolatedLibrary({ libraryId: library.id, km, header, tokens, clock: args.clock }),
      samples: { sign: [] as number[], verify: [] as number[] },
    }));
  try {
    for (const entry of running) await entry.isolated.warmUp(args.warmupMs);
    // This machine's speed drifts by up to 1.6x in phases of a few hundred ms, so each round runs
    // every library's case of one operation back to back in short slices (rotating who goes first),
    // and ratios are taken between the slices of the same round.
    for (const op of ['sign', 'verify'] as const) {
      for (let round = 0; round < args.rounds; round++) {
        if (round % 10 === 0) log(`  ${alg} ${op}: round ${round + 1}/${args.rounds}`);
        for (let index = 0; index < running.length; index++) {
          const entry = running[(index + round) % running.length] as (typeof running)[number];
          entry.samples[op].push(await entry.isolated.round(op, args.roundMs));
        }
      }
    }
  } finally {
    await Promise.all(running.map((entry) => entry.isolated.close()));
  }

  // A library without this algorithm keeps its row, marked n/a.
  const measured = (samples: number[] | undefined): Measured | undefined =>
    samples === undefined ? undefined : { median: median(samples), samples };
  const rows: Row[] = selected.map((library) => {
    const samples = running.find((entry) => entry.library === library)?.samples;
    return {
      id: library.id,
      label: library.label(alg),
      peer: library.peer,
      sign: measured(samples?.sign),
      verify: measured(samples?.verify),
    };
  });
  return { alg, rows };
}

const started = process.hrtime.bigint();
const cpuList = cpus();
const cpu = `${cpuList[0]?.model.trim() ?? 'unknown CPU'} (${cpuList.length} cores)`;
const method =
  `Method: every library in a worker thread of its own (its own V8 heap and JIT), one running at a time; ` +
  `warm-up ${args.warmupMs} ms per case, then ${args.rounds} rounds per operation, each running every ` +
  `library for ${args.roundMs} ms back to back (rotating order); ops/s = median over rounds, ratios = median ` +
  `of the per-round ratios${args.clock === 'cpu' ? "; rates per second of the process's CPU time" : ''}.`;
console.log(`authjwt token benchmark: Node ${process.version}, ${cpu}`);
console.log(`${method}${args.quick ? ' (--quick)' : ''}\n`);

const results: AlgorithmResult[] = [];
for (const alg of args.algorithms) {
  const result = await benchAlgorithm(alg);
  results.push(result);
  console.log(`${consoleTable(result)}\n`);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(consoleGoal(results));
console.log(`\nWhole run: ${seconds.toFixed(0)} s.`);

if (args.write) {
  const info = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpu,
    platform: `${platform()} ${arch()}`,
    method: `${method}${args.quick ? ' Quick run.' : ''}`,
    seconds,
  };
  writeSection(resultsPath, markdownSection(results, info));
  console.log(`Wrote the "Token sign/verify" section of ${resultsPath}.`);
} else {
  console.log('bench/RESULTS.md not written (partial or quick run; pass --write to write it).');
}
