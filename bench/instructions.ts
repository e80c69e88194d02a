/**
 * What a guard costs in machine instructions, a figure these noisy machines move far less than
 * throughput: on each framework, the bare route of bench:frameworks, then authjwt's bench app with
 * `/me` unguarded and guarded (cached sessions), each served alone under valgrind's callgrind and
 * loaded with the tokens of bench:frameworks. The unguarded and guarded apps differ only by the guard
 * (the same plugin, store, Redis connections and timers); the bare app has none of authjwt. Counting
 * starts after a warm-up (the JIT has settled) and covers a fixed number of requests, inside one load
 * whose connections stay open. Needs valgrind (`apt-get install valgrind`); about a minute per route.
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
/** The routes counted on each framework. */
const routes: readonly Route[] = [
  { label: 'bare', scenario: 'bare', unguarded: false },
  { label: 'unguarded', scenario: 'authjwt-cached', unguarded: true },
  { label: 'guarded', scenario: 'authjwt-cached', unguarded: false },
];
const connections = 10;

interface Route {
  readonly label: string;
  readonly scenario: ScenarioId;
  /** authjwt's app with `/me` left unguarded. */
  readonly unguarded: boolean;
}

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
async function instructionsPerRequest(
  framework: Framework,
  { label, scenario, unguarded }: Route,
): Promise<number> {
  const route = `${framework} ${label}`;
  const name = `authjwt-callgrind-${process.pid}-${framework}-${label}`;
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
  // One load from start to end, its connections open throughout: one opened or closed inside the
  // counted window made Node deoptimise and recompile its socket and stream code there, a third of a
  // count and a different amount in every run. The counters are zeroed and dumped at fixed answers.
  const callgrind = (command: string) =>
    execFileSync('callgrind_control', [command, String(server.pid)], { stdio: 'ignore' });
  try {
    let answered = 0;
    const result = await new Promise<Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${server.url}/me`,
          connections,
          // More than are counted: a connection that closes makes Node deoptimise its stream code.
          amount: warmup + 2 * requests,
          requests: [...planRequests],
          timeout: 60,
        },
        (error, done) => (error === null ? resolve(done) : reject(error)),
      );
      // callgrind_control blocks this process, and with it the load, until the server has obeyed.
      instance.on('response', () => {
        answered += 1;
        if (answered === warmup) callgrind('--zero');
        if (answered === warmup + requests) {
          callgrind('--dump');
          instance.stop();
        }
      });
    });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${route}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    }
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
  for (const route of routes) {
    process.stderr.write(`${framework}, ${route.label}: counting...\n`);
    counts.push(await instructionsPerRequest(framework, route));
  }
  const [bare, unguarded, guarded] = counts as [number, number, number];
  const name = { fastify: 'Fastify 5', express: 'Express 5', hono: 'Hono 4' }[framework];
  const count = (value: number) => Math.round(value).toLocaleString('en-US');
  rows.push(
    `| ${name} | ${count(bare)} | ${count(unguarded)} | ${count(guarded)} | ${count(guarded - unguarded)} | ` +
      `${(bare / guarded).toFixed(3)}x |`,
  );
}
await sessions.close();
await redis.stop();

const table = [
  '| Framework | bare | unguarded | guarded | the guard | bare / guarded |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(table);
if (write) {
  const section = [
    '<!-- instructions:start -->',
    '## Instructions per request: what the guard itself costs',
    '',
    `Written by \`npm run bench:instructions\` (bench/instructions.ts) on ${new Date().toISOString().slice(0, 10)} from ${sourceVersion()}: Node ${process.version}, valgrind's callgrind.`,
    '',
    `Method: on each framework, three apps, each served alone by one process under callgrind (node --single-threaded) and loaded from this process with the same 64 users' tokens by autocannon (${connections} connections): the bare route of the frameworks section's (1), and authjwt's app of its (4) (Redis sessions, \`revocation: 'cached'\`) with \`GET /me\` unguarded, then guarded by \`requireAccess()\` as in (4). Counting starts after ${warmup.toLocaleString('en-US')} answers and covers the next ${requests.toLocaleString('en-US')}, inside one load whose connections stay open: the server process's instructions per request once the JIT has settled. (A connection opened or closed inside the counted window made Node deoptimise and recompile its stream code there: a third of a count, and a different amount in every run. Without that, one app counted in different runs differed by up to 2% on Fastify and Hono (Fastify's unguarded app: 63,076 to 64,683 in four runs of unchanged code); on Express, which collects garbage for a tenth of each request, by up to 7%: its bare route counted 554k to 591k. Timers, such as the Redis channel's once-a-second heartbeat, fall on about 50 times fewer requests than under real load, since valgrind slows the server down that much.) "The guard" is guarded minus unguarded, two apps that differ only by it. Throughput also pays for cache misses and for whatever else the machine does; this counts only work.`,
    '',
    table,
    '<!-- instructions:end -->',
  ].join('\n');
  writeMarkedSection(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), 'instructions', section);
  console.log('Wrote the "instructions" section of bench/RESULTS.md.');
}
process.exit(0);
