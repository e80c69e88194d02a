/**
 * What a guard costs in machine instructions, a figure these noisy machines move far less than
 * throughput: on each framework, authjwt's bench app with `/me` unguarded and then guarded (cached
 * sessions), each served alone under valgrind's callgrind and loaded with the tokens of
 * bench:frameworks. The two apps differ only by the guard: the same plugin, store, Redis connections
 * and timers (which fire fifty times as often per request under valgrind). Where the garbage
 * collections fall still moves a count (see the method text below). Counting starts after a warm-up (the JIT has settled) and
 * covers a fixed number of requests. Needs valgrind (`apt-get install valgrind`); about 3 minutes per
 * route.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { sourceVersion } from './http/harness.js';
import { startServer } from './http/processes.js';
import type { Framework, ScenarioId } from './http/scenarios.js';
import { createSessionMaker, getPlan } from './http/tokens.js';
import { writeMarkedSection } from './lib/sections.js';

const usage = `usage: npm run bench:instructions -- [FRAMEWORK ...] [--requests=N] [--warmup=N] [--write|--no-write]

  FRAMEWORK       fastify, express, hono (default: all)
  --requests=N    requests counted per route (default 6000)
  --warmup=N      requests before counting starts (default 15000)
  --write         rewrite the instructions section of bench/RESULTS.md even for a partial run
  --no-write      never touch it (by default it is rewritten after a run of every framework)`;

const frameworks: readonly Framework[] = ['fastify', 'express', 'hono'];
const argv = process.argv.slice(2);
const flag = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const selected = frameworks.filter((id) => argv.includes(id));
if (
  argv.includes('--help') ||
  argv.some((arg) => !arg.startsWith('--') && !frameworks.includes(arg as Framework))
) {
  console.error(usage);
  process.exit(2);
}
const chosen = selected.length === 0 ? frameworks : selected;
const requests = Number(flag('requests') ?? 6000);
const warmup = Number(flag('warmup') ?? 15000);
const write = argv.includes('--write') || (!argv.includes('--no-write') && selected.length === 0);
/** The two routes of each framework, as `[label, unguarded]`. */
const routes: readonly [string, boolean][] = [
  ['unguarded', true],
  ['guarded', false],
];
const connections = 10;

try {
  execFileSync('valgrind', ['--version']);
} catch {
  console.error('bench:instructions needs valgrind on the PATH (apt-get install valgrind)');
  process.exit(2);
}

const redis = await startRedisServer();
const redisUrl = `redis://127.0.0.1:${redis.port}`;
const secret = randomBytes(64).toString('base64url');
const prefix = 'bench:';
const sessions = await createSessionMaker({ secret, redisUrl, prefix });
const plan = getPlan(await Promise.all(Array.from({ length: 64 }, (_, i) => sessions.login(`user-${i}`))));
if (plan.kind !== 'requests') throw new Error('bench:instructions: a plan of fixed requests is expected');
const planRequests = plan.requests;

/** Instructions per request of one route's server, counted between a warm-up and a fixed load. */
async function instructionsPerRequest(framework: Framework, unguarded: boolean): Promise<number> {
  const scenario: ScenarioId = 'authjwt-cached';
  const route = `${framework} ${unguarded ? 'unguarded' : 'guarded'}`;
  const name = `authjwt-callgrind-${process.pid}-${framework}-${unguarded}`;
  const output = join(tmpdir(), name);
  const server = await startServer(
    { scenario, framework, secret, redisUrl, prefix, unguarded },
    {
      wrapper: ['valgrind', '--quiet', '--tool=callgrind', `--callgrind-out-file=${output}`],
      // V8 compiles on the main thread, so its work is counted as it happens rather than by chance.
      nodeFlags: ['--single-threaded'],
      timeoutMs: 300_000,
    },
  );
  const load = async (amount: number) => {
    const result = await new Promise<Result>((resolve, reject) => {
      autocannon(
        {
          url: `${server.url}/me`,
          connections,
          amount,
          requests: [...planRequests],
          timeout: 60,
        },
        (error, done) => (error === null ? resolve(done) : reject(error)),
      );
    });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${route}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    }
  };
  try {
    await load(warmup);
    execFileSync('callgrind_control', ['--zero', String(server.pid)], { stdio: 'ignore' });
    await load(requests);
    execFileSync('callgrind_control', ['--dump', String(server.pid)], { stdio: 'ignore' });
  } finally {
    await server.stop();
  }
  // callgrind_control's dump is `<name>.1`; the final dump at exit is `<name>`. Both go.
  const files = readdirSync(tmpdir()).filter((file) => file.startsWith(name));
  const dump = files.filter((file) => file.startsWith(`${name}.`)).sort()[0];
  const text = dump === undefined ? '' : readFileSync(join(tmpdir(), dump), 'utf8');
  for (const file of files) rmSync(join(tmpdir(), file), { force: true });
  const total = /^(?:summary|totals): (\d+)/m.exec(text)?.[1];
  if (total === undefined) throw new Error(`${route}: no totals in a callgrind dump`);
  return Number(total) / requests;
}

const rows: string[] = [];
for (const framework of chosen) {
  const counts: number[] = [];
  for (const [label, unguarded] of routes) {
    process.stderr.write(`${framework}, ${label}: counting...\n`);
    counts.push(await instructionsPerRequest(framework, unguarded));
  }
  const [unguarded, guarded] = counts as [number, number];
  const name = { fastify: 'Fastify 5', express: 'Express 5', hono: 'Hono 4' }[framework];
  rows.push(
    `| ${name} | ${Math.round(unguarded).toLocaleString('en-US')} | ${Math.round(guarded).toLocaleString('en-US')} | ` +
      `${Math.round(guarded - unguarded).toLocaleString('en-US')} | ${(unguarded / guarded).toFixed(3)}x |`,
  );
}
await sessions.close();
await redis.stop();

const table = [
  '| Framework | unguarded | guarded | the guard | unguarded / guarded |',
  '|---|---:|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(table);
if (write) {
  const section = [
    '<!-- instructions:start -->',
    '## Instructions per request: what the guard itself costs',
    '',
    `Written by \`npm run bench:instructions\` (bench/instructions.ts) on ${new Date().toISOString().slice(0, 10)} from git ${sourceVersion()}: Node ${process.version}, valgrind's callgrind.`,
    '',
    `Method: on each framework, authjwt's bench app (the (4) of the frameworks section: Redis sessions, \`revocation: 'cached'\`) with \`GET /me\` unguarded, then guarded by \`requireAccess()\` as in (4), each served alone by one process under callgrind (node --single-threaded) and loaded from this process with the same 64 users' tokens by autocannon (${connections} connections); counting starts after ${warmup.toLocaleString('en-US')} requests and covers the next ${requests.toLocaleString('en-US')}: the server process's instructions per request once the JIT has settled. The two apps differ only by the guard. The same Fastify app counted twice in one run differed by under 0.5%; counts of one app in different runs, and of different apps (a bare route against authjwt's app), differ by up to a sixth (where the garbage collections fall, how many requests each wake-up of the event loop finds), so only the two routes of one framework in one run are compared, and a difference far above what the check costs on Fastify is a question, not a cost (see the README's Benchmarks). Throughput also pays for cache misses and for whatever else the machine does; this counts only work.`,
    '',
    table,
    '<!-- instructions:end -->',
  ].join('\n');
  writeMarkedSection(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), 'instructions', section);
  console.log('Wrote the "instructions" section of bench/RESULTS.md.');
}
process.exit(0);
