/**
 * Token sign/verify throughput per algorithm: authjwt against jose, jsonwebtoken, fast-jwt and a raw
 * node:crypto floor, measured in one run on this machine. `npm run bench:tokens -- --help` for options.
 *
 * Method: every case is warmed up and calibrated; then, per operation, many short rounds each run
 * every library once, back to back, in a rotating order. Ops/s is the median over the rounds; a ratio
 * is the median over the rounds of the ratio within the round (paired), which cancels the slow drift
 * of this machine's speed that would otherwise decide the comparison.
 */
import { arch, cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Algorithm, createTokenService } from 'authjwt';
import { parseArgs } from './lib/args.js';
import { type AccessHeader, decodeSegment, type LibraryCases, nextUser, population } from './lib/fixture.js';
import { keyMaterial } from './lib/keys.js';
import { type BenchFn, type Calibrated, measureRound, median, warmUp } from './lib/measure.js';
import { type Library, type LibrarySetup, libraries } from './lib/peers.js';
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
const claimNames = ['sub', 'iat', 'exp', 'jti', 'type', 'sid'];

const selected = libraries.filter(
  (library) => !library.peer || args.libraries.length === 0 || args.libraries.includes(library.id),
);
for (const id of args.libraries) {
  if (!libraries.some((library) => library.id === id)) {
    console.error(`bench: unknown library "${id}" (${libraries.map((library) => library.id).join(', ')})`);
    process.exit(2);
  }
}

interface Case {
  readonly library: Library;
  readonly op: 'sign' | 'verify';
  calibrated: Calibrated | undefined;
  readonly bench: BenchFn;
  readonly samples: number[];
}

async function benchAlgorithm(alg: Algorithm): Promise<AlgorithmResult> {
  const km = keyMaterial(alg);
  // The full verify path, compared with raw and the peers (which cache nothing by default either). The
  // verified-token cache is measured on its own row: it answers repeat tokens without crypto.
  const service = createTokenService({
    signingKey: { alg, key: km.secret ?? km.signingText },
    verifiedTokenCache: 0,
  });
  const cachedService = createTokenService({ signingKey: { alg, key: km.secret ?? km.signingText } });
  const tokens = Array.from({ length: population }, () => service.signAccessToken(nextUser()).token);
  const header = decodeSegment(tokens[0] as string, 0) as unknown as AccessHeader;
  const setup: LibrarySetup = { km, header, service, cachedService };

  const cases: Case[] = [];
  for (const library of selected.filter((candidate) => candidate.supports(alg))) {
    const lib = await library.create(setup);
    await checkEquivalent(library, lib, setup, tokens);
    let next = 0;
    const token = () => tokens[next++ & (population - 1)] as string;
    const sign: BenchFn = lib.async ? { kind: 'async', fn: lib.sign } : { kind: 'sync', fn: lib.sign };
    const verify: BenchFn = lib.async
      ? { kind: 'async', fn: () => lib.verify(token()) }
      : { kind: 'sync', fn: () => lib.verify(token()) };
    cases.push({ library, op: 'sign', bench: sign, calibrated: undefined, samples: [] });
    cases.push({ library, op: 'verify', bench: verify, calibrated: undefined, samples: [] });
  }

  for (const entry of cases) entry.calibrated = await warmUp(entry.bench, args.warmupMs);
  // This machine's speed drifts by up to 1.6x in phases of a few hundred ms, so each round runs
  // every library's case of one operation back to back in short slices (rotating who goes first),
  // and ratios are taken between the slices of the same round.
  for (const op of ['sign', 'verify'] as const) {
    const ofOp = cases.filter((entry) => entry.op === op);
    for (let round = 0; round < args.rounds; round++) {
      if (round % 10 === 0) log(`  ${alg} ${op}: round ${round + 1}/${args.rounds}`);
      for (let index = 0; index < ofOp.length; index++) {
        const entry = ofOp[(index + round) % ofOp.length] as Case;
        entry.samples.push(await measureRound(entry.calibrated as Calibrated, args.roundMs));
      }
    }
  }

  const measured = (library: Library, op: 'sign' | 'verify'): Measured | undefined => {
    const entry = cases.find((candidate) => candidate.library === library && candidate.op === op);
    if (entry === undefined) return undefined;
    return { median: median(entry.samples), samples: entry.samples };
  };
  const rows: Row[] = selected.map((library) => ({
    id: library.id,
    label: library.label(alg),
    peer: library.peer,
    sign: measured(library, 'sign'),
    verify: measured(library, 'verify'),
  }));
  return { alg, rows };
}

/**
 * Before timing anything: each verifier accepts authjwt's token and refuses it with one signature
 * character changed; each signer writes exactly authjwt's header and claim names, and authjwt
 * accepts what it signs. So every row does the same job.
 */
async function checkEquivalent(
  library: Library,
  lib: LibraryCases,
  setup: LibrarySetup,
  tokens: readonly string[],
) {
  const where = `${setup.km.alg} ${library.id}`;
  const token = tokens[0] as string;
  const claims = (await lib.verify(token)) as Record<string, unknown> | undefined;
  if (claims?.sub !== decodeSegment(token, 1).sub)
    throw new Error(`${where}: verify did not return the claims`);
  const lastDot = token.lastIndexOf('.');
  const tampered = `${token.slice(0, lastDot + 1)}${token[lastDot + 1] === 'A' ? 'B' : 'A'}${token.slice(lastDot + 2)}`;
  let refused = false;
  try {
    await lib.verify(tampered);
  } catch {
    refused = true;
  }
  if (!refused) throw new Error(`${where}: verify accepted a tampered signature`);

  const signed = await lib.sign();
  if (JSON.stringify(decodeSegment(signed, 0)) !== JSON.stringify(setup.header)) {
    throw new Error(`${where}: header ${JSON.stringify(decodeSegment(signed, 0))} is not authjwt's`);
  }
  const names = Object.keys(decodeSegment(signed, 1));
  if (names.join() !== claimNames.join())
    throw new Error(`${where}: claims ${names.join()} are not authjwt's`);
  setup.service.verifyAccessToken(signed);
}

const started = process.hrtime.bigint();
const cpuList = cpus();
const cpu = `${cpuList[0]?.model.trim() ?? 'unknown CPU'} (${cpuList.length} cores)`;
const method =
  `Method: warm-up ${args.warmupMs} ms per case, then ${args.rounds} rounds per operation, each running every ` +
  `library for ${args.roundMs} ms back to back (rotating order); ops/s = median over rounds, ratios = median ` +
  'of the per-round ratios.';
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
