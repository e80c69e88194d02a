/**
 * HTTP throughput of a token-checked Fastify route: authjwt (stateless, tokens only, Redis sessions
 * cached and strict) against a bare route and @fastify/jwt (alone and with a Redis revocation lookup),
 * plus logins/s and refreshes/s with Redis. `npm run bench:http -- --help` for options.
 *
 * Every scenario is served by its own child process (bench/http/server.ts, Fastify with no logger, on
 * a free 127.0.0.1 port) and loaded from this process with autocannon. After a warm-up, each round
 * loads every scenario once, in a rotating order, so the slow drift of this machine's speed falls
 * on every scenario alike; req/s and latency are medians over rounds, and a ratio is the median of
 * the per-round ratios. Results go to bench/RESULTS.md (section "http") and bench/http-throughput.svg.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Client, RequestOptions } from 'autocannon';
import { type RedisServer, startRedisServer } from '../test/helpers/redis-server.js';
import { pinProcess, planCpus } from './http/affinity.js';
import { parseHttpArgs } from './http/args.js';
import { throughputChart } from './http/chart.js';
import { type LoadPlan, runLoad } from './http/load.js';
import { machineCpuSeconds, type ServerProcess, startServer, stopAll } from './http/processes.js';
import { summarizeProfile } from './http/profile.js';
import {
  consoleReport,
  markdownSection,
  type RoundSample,
  type RunInfo,
  ratio,
  type ScenarioResult,
  sectionName,
  summarize,
} from './http/report.js';
import { checksToken, type Scenario } from './http/scenarios.js';
import { writeMarkedSection } from './lib/sections.js';

const args = parseHttpArgs(process.argv.slice(2));
const resultsPath = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const chartPath = fileURLToPath(new URL('./http-throughput.svg', import.meta.url));
const profileDir = fileURLToPath(new URL(`../.bench-tmp/profiles/http-${Date.now()}`, import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);
const users = 64;

/** A scenario's server and how to load it. */
interface Target {
  readonly scenario: Scenario;
  readonly server: ServerProcess;
  /** The plan for the next run (refresh: fresh sessions for every connection). */
  plan(): Promise<LoadPlan>;
  readonly rounds: RoundSample[];
}

let redis: RedisServer | undefined;
const servers: ServerProcess[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll(servers);
    await redis?.stop();
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the servers`);
    cleanup().then(
      () => process.exit(130),
      () => process.exit(130),
    );
  });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** Logs `count` users in on the server (named ones, or new ones), in parallel. */
function logins(server: ServerProcess, count: number, named: boolean): Promise<Pair[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) =>
      json<Pair>(await post(`${server.url}/login`, named ? { user: `user-${index}` } : {}), 'login'),
    ),
  );
}

function tamper(token: string): string {
  const at = token.lastIndexOf('.') + 1;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

/**
 * Tokens from a real login on the server, and checks that it does the job: the token passes and names
 * its user, a token with one signature character changed is refused (except by the bare route).
 */
async function prepareGet(scenario: Scenario, server: ServerProcess): Promise<Target> {
  const pairs = await logins(server, users, true);
  const first = pairs[0] as Pair;
  const me = await json<{ sub: string }>(
    await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${first.accessToken}` } }),
    `${scenario.id}: GET /me`,
  );
  const expected = checksToken(scenario.id) ? 'user-0' : 'anonymous';
  if (me.sub !== expected) throw new Error(`${scenario.id}: GET /me answered ${JSON.stringify(me)}`);
  if (checksToken(scenario.id)) {
    const refused = await fetch(`${server.url}/me`, {
      headers: { authorization: `Bearer ${tamper(first.accessToken)}` },
    });
    if (refused.status !== 401) throw new Error(`${scenario.id}: a tampered token got ${refused.status}`);
  }
  const requests: RequestOptions[] = pairs.map((pair) => ({
    method: 'GET',
    path: '/me',
    headers: { authorization: `Bearer ${pair.accessToken}` },
  }));
  const plan: LoadPlan = { kind: 'requests', requests };
  return { scenario, server, plan: async () => plan, rounds: [] };
}

async function prepareLogin(scenario: Scenario, server: ServerProcess): Promise<Target> {
  await logins(server, 1, false);
  const plan: LoadPlan = {
    kind: 'requests',
    requests: [
      {
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/json', 'user-agent': 'authjwt-bench/1.0 (autocannon)' },
        body: '{}',
      },
    ],
  };
  return { scenario, server, plan: async () => plan, rounds: [] };
}

/**
 * Refresh: a rotated refresh token is spent, so every connection follows its own chain, sending the
 * token the previous response returned. Each run starts from new sessions (a connection cut at the end
 * of a run may have lost its newest token), with spares for a chain that breaks.
 */
async function prepareRefresh(scenario: Scenario, server: ServerProcess): Promise<Target> {
  const [pair] = await logins(server, 1, false);
  const rotated = await json<Pair>(
    await post(`${server.url}/refresh`, {}, { authorization: `Bearer ${(pair as Pair).refreshToken}` }),
    `${scenario.id}: POST /refresh`,
  );
  if (rotated.refreshToken === (pair as Pair).refreshToken) throw new Error('refresh did not rotate');
  const plan = async (): Promise<LoadPlan> => {
    const pool = (await logins(server, args.connections + 16, false)).map((p) => p.refreshToken);
    const take = () => {
      const token = pool.pop();
      if (token === undefined) throw new Error('refresh: out of fresh sessions (chains keep breaking)');
      return token;
    };
    return {
      kind: 'perConnection',
      setupClient(client: Client) {
        let token = take();
        client.setRequests([
          {
            method: 'POST',
            path: '/refresh',
            headers: { 'content-type': 'application/json' },
            body: '{}',
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, authorization: `Bearer ${token}` },
            }),
            onResponse: (status, body) => {
              token = status === 200 ? (JSON.parse(body) as Pair).refreshToken : take();
            },
          },
        ]);
      },
    };
  };
  return { scenario, server, plan, rounds: [] };
}

interface RedisStats {
  readonly commands: number;
  readonly cpu: number;
}

async function redisStats(): Promise<RedisStats | undefined> {
  if (redis === undefined) return undefined;
  const info = await redis.command('INFO');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return {
    commands: field('total_commands_processed'),
    cpu: field('used_cpu_user') + field('used_cpu_sys'),
  };
}

async function measure(target: Target, seconds: number): Promise<RoundSample> {
  const plan = await target.plan();
  const redisBefore = target.scenario.redis ? await redisStats() : undefined;
  const tripsBefore = (await target.server.stats()).roundTrips;
  const othersBefore = othersCpuSeconds();
  const serverBefore = target.server.cpuSeconds();
  const loaderBefore = process.cpuUsage();
  const started = performance.now();
  const result = await runLoad(target.server.url, plan, { connections: args.connections, seconds });
  const wall = (performance.now() - started) / 1000;
  const loader = process.cpuUsage(loaderBefore);
  const serverCpu = (target.server.cpuSeconds() - serverBefore) / wall;
  const othersCpu = (othersCpuSeconds() - othersBefore) / wall;
  const redisAfter = redisBefore === undefined ? undefined : await redisStats();
  const trips = (await target.server.stats()).roundTrips - tripsBefore;
  const loaderCpu = (loader.user + loader.system) / 1e6 / wall;
  const redisCpu = redisAfter && redisBefore ? (redisAfter.cpu - redisBefore.cpu) / wall : undefined;
  if (result.failures > 0) {
    log(
      `  ${target.scenario.id}: ${result.failures} failed requests (first status ${result.firstFailureStatus})`,
    );
  }
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    failures: result.failures,
    serverCpu,
    loaderCpu,
    redisCpu,
    otherCpu: Math.max(0, othersCpu - (redisCpu ?? 0)),
    roundTripsPerRequest: trips / Math.max(1, result.responses),
    // The INFO call that took the second reading counts once.
    redisCommandsPerRequest:
      redisAfter && redisBefore
        ? (redisAfter.commands - redisBefore.commands - 1) / Math.max(1, result.responses)
        : undefined,
  };
}

const cpuText = (cores: number) => `${Math.round(cores * 100)}%`.padStart(4);

const quietCpu = 0.15;

/**
 * CPU seconds used on the machine by everything but this harness and its servers (idle servers
 * still use some: timers, and the sampling thread of --cpu-prof). Redis is left to the caller.
 */
function othersCpuSeconds(): number {
  const harness = process.cpuUsage();
  let ours = (harness.user + harness.system) / 1e6;
  for (const server of servers) ours += server.cpuSeconds() || 0;
  return machineCpuSeconds() - ours;
}

async function sampleBusy(ms: number): Promise<number> {
  const before = othersCpuSeconds();
  await sleep(ms);
  return (othersCpuSeconds() - before) / (ms / 1000);
}

/**
 * Waits until the machine is quiet (under 15% of a core busy, over one second; our idle servers and
 * Redis count too but use next to nothing), for at most `maxMs`. Returns the last busy figure, in cores.
 */
async function quietWithin(maxMs: number): Promise<number> {
  const deadline = performance.now() + maxMs;
  let said = 0;
  let busy = await sampleBusy(1000);
  while (busy >= quietCpu && performance.now() < deadline) {
    if (performance.now() - said > 10_000) {
      log(`  waiting for a quiet machine: other processes use ${cpuText(busy).trim()} of a core`);
      said = performance.now();
    }
    busy = await sampleBusy(1000);
  }
  return busy;
}

/**
 * Other work on a 2-core machine moves every figure. Without --wait-idle, warn; with it, wait up to
 * 15 minutes for quiet.
 */
async function waitForQuietMachine(): Promise<number> {
  if (args.waitIdle) return quietWithin(15 * 60_000);
  const busy = await sampleBusy(2000);
  if (busy >= quietCpu) {
    log(
      `warning: other processes keep ${cpuText(busy).trim()} of a core busy; figures will be noisy (--wait-idle waits for quiet)`,
    );
  }
  return busy;
}

async function prepare(scenario: Scenario, server: ServerProcess): Promise<Target> {
  switch (scenario.load) {
    case 'get':
      return prepareGet(scenario, server);
    case 'login':
      return prepareLogin(scenario, server);
    case 'refresh':
      return prepareRefresh(scenario, server);
  }
}

/** The commit measured, and whether src/ had uncommitted changes (the bench runs src/ through tsx). */
function sourceVersion(): string {
  try {
    const run = (...command: string[]) =>
      execFileSync('git', command, {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        encoding: 'utf8',
      }).trim();
    const dirty = run('status', '--porcelain', '--', 'src').length > 0;
    return `git ${run('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown source version';
  }
}

function autocannonVersion(): string {
  const manifest = fileURLToPath(new URL('../node_modules/autocannon/package.json', import.meta.url));
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** A round in which other processes used more CPU than this (cores) is measured again... */
const disturbedCpu = 0.25;
/** ...at most this many times in a run (about a minute more in a full run). */
const maxRepeats = 10;
const started = performance.now();
const cpuList = cpus();
const cpu = `${cpuList[0]?.model.trim() ?? 'unknown CPU'} (${cpuList.length} cores)`;
const cpuPlan = args.pin ? planCpus() : undefined;
if (cpuPlan !== undefined) pinProcess(process.pid, cpuPlan.load);
const placement =
  cpuPlan === undefined
    ? `Load generator, server and Redis share the machine${args.pin ? ' (--pin asked, but no taskset or a single core)' : ''}`
    : `Pinned with taskset: the server under load runs alone on CPU ${cpuPlan.server}, the load generator and Redis on CPU ${cpuPlan.load}, as if the load came from another machine; other processes run anywhere`;
const method =
  `Method: each scenario is served by its own process (Node, tsx, Fastify 5 with no logger) on 127.0.0.1 and ` +
  `loaded from the harness process by autocannon ${autocannonVersion()} with ${args.connections} connections, ` +
  `pipelining 1. After a ${args.warmupSeconds} s warm-up per scenario, ${args.rounds} round(s) of ` +
  `${args.seconds} s; each round loads every scenario once, in a rotating order. req/s counts 2xx responses; ` +
  'req/s, p50 and p99 (from autocannon per-response timings) are medians over rounds; a ratio is the median ' +
  `of the per-round ratios of req/s. Tokens: HS256 access tokens from a real login on the server under load, ` +
  `${users} users, cycled per connection. One redis-server started by the bench (no persistence) serves every ` +
  `Redis scenario, each server with its own key prefix. ${placement}; ` +
  `a round in which other processes used over ${disturbedCpu * 100}% of a core is measured again once the ` +
  `machine is quiet (at most ${maxRepeats} times a run).`;

log(`authjwt HTTP benchmark: Node ${process.version}, ${cpu}`);
log(`${method}${args.quick ? ' (--quick)' : ''}${args.profile ? ' (--profile)' : ''}\n`);

const busyBefore = await waitForQuietMachine();
// Read before the servers start: they load src/ then, and it may change during the run.
const source = sourceVersion();
let repeated = 0;
/** When the measured rounds began (process.hrtime, µs): profiles are summarized from then on. */
let roundsFromUs = 0;
let results: ScenarioResult[] = [];
let info: Omit<RunInfo, 'seconds'> | undefined;
try {
  const secret = randomBytes(64).toString('base64url');
  if (args.scenarios.some((scenario) => scenario.redis)) redis = await startRedisServer();
  const redisInfo = redis === undefined ? undefined : await redis.command('INFO', 'server');
  const redisVersion = redisInfo === undefined ? undefined : /redis_version:(\S+)/.exec(redisInfo)?.[1];
  const redisPid = redisInfo === undefined ? undefined : /process_id:(\d+)/.exec(redisInfo)?.[1];
  if (cpuPlan !== undefined && redisPid !== undefined) pinProcess(Number(redisPid), cpuPlan.load);
  if (args.profile) mkdirSync(profileDir, { recursive: true });
  log(
    `starting ${args.scenarios.length} server processes${redis === undefined ? '' : ` and Redis ${redisVersion}`}...`,
  );
  const processes = await Promise.all(
    args.scenarios.map((scenario) =>
      startServer(
        { scenario: scenario.id, secret, redisUrl: redis?.url, prefix: `bench-${scenario.id}:` },
        {
          ...(cpuPlan !== undefined && { cpus: cpuPlan.server }),
          nodeFlags: args.profile
            ? // A directory per server: the module-hooks thread of tsx writes a profile of its own.
              ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, scenario.id)}`]
            : [],
        },
      ).then((server) => {
        servers.push(server);
        return server;
      }),
    ),
  );
  const targets: Target[] = [];
  for (const [index, scenario] of args.scenarios.entries()) {
    targets.push(await prepare(scenario, processes[index] as ServerProcess));
  }
  const revocationOption = processes.find(
    (server) => server.config.scenario === 'authjwt-cached',
  )?.revocationOption;

  if (args.warmupSeconds > 0) {
    log(`warm-up: ${args.warmupSeconds} s per scenario`);
    const shape = { connections: args.connections, seconds: args.warmupSeconds };
    for (const target of targets) await runLoad(target.server.url, await target.plan(), shape);
  }
  roundsFromUs = Number(process.hrtime.bigint() / 1000n);
  for (let round = 0; round < args.rounds; round++) {
    log(`round ${round + 1}/${args.rounds}`);
    for (let index = 0; index < targets.length; index++) {
      const target = targets[(index + round) % targets.length] as Target;
      const name = `(${target.scenario.number}) ${target.scenario.label}`;
      for (;;) {
        await sleep(250);
        const sample = await measure(target, args.seconds);
        const rps = Math.round(sample.rps).toLocaleString('en-US');
        log(
          `  ${name.padEnd(36)} ${rps.padStart(7)} req/s  p99 ${sample.p99.toFixed(2).padStart(6)} ms  ` +
            `CPU: server ${cpuText(sample.serverCpu)} load ${cpuText(sample.loaderCpu)} ` +
            `Redis ${cpuText(sample.redisCpu ?? 0)} other ${cpuText(sample.otherCpu)}`,
        );
        // Another process took a good part of a core: measure this one again, within a budget.
        if (sample.otherCpu > disturbedCpu && repeated < maxRepeats) {
          repeated++;
          log(
            `    disturbed by other processes: measuring again (${repeated}/${maxRepeats}) once it is quiet`,
          );
          await quietWithin(args.waitIdle ? 120_000 : 5_000);
          continue;
        }
        target.rounds.push(sample);
        break;
      }
    }
  }
  results = targets.map((target) => ({ scenario: target.scenario, rounds: target.rounds }));
  info = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpu,
    platform: `${platform()} ${arch()}`,
    redis: redisVersion,
    method: `${method}${args.quick ? ' Quick run.' : ''}`,
    revocationOption,
    source,
    otherCpuBefore: busyBefore,
    repeatedRounds: repeated,
  };
} finally {
  await cleanup();
}

const seconds = (performance.now() - started) / 1000;
console.log(`\n${consoleReport(results)}`);
console.log(`\nWhole run: ${seconds.toFixed(0)} s.`);

const notes = notesOf(results, info?.revocationOption);
for (const note of notes) console.log(`note: ${note}`);

if (args.profile) {
  for (const scenario of readdirSync(profileDir)) {
    // Of the server's thread profiles, the main thread's is the one with the most samples.
    const dir = join(profileDir, scenario);
    const summaries = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => summarizeProfile(join(dir, name), 25, roundsFromUs))
      .sort((a, b) => b.busyMs - a.busyMs);
    if (summaries[0] !== undefined) {
      console.log(`\n${scenario}, measured rounds only: ${summaries[0].text}`);
    }
  }
}

if (args.write && info !== undefined) {
  const caption = `${info.date}, Node ${info.node}, ${info.cpu}; autocannon ${args.connections} connections; medians of ${args.rounds} x ${args.seconds} s`;
  writeFileSync(chartPath, throughputChart(results, caption));
  writeMarkedSection(
    resultsPath,
    sectionName,
    markdownSection(results, { ...info, seconds }, 'http-throughput.svg', notes),
  );
  console.log(`Wrote the "${sectionName}" section of ${resultsPath} and ${chartPath}.`);
} else {
  console.log(
    'bench/RESULTS.md and the chart not written (partial, quick or profiled run; --write forces it).',
  );
}

/** What a reader needs to know to read the figures right. */
function notesOf(results: readonly ScenarioResult[], revocationOption: boolean | undefined): string[] {
  const notes: string[] = [];
  const find = (id: string) => results.find((result) => result.scenario.id === id);
  const cached = find('authjwt-cached');
  const strict = find('authjwt-strict');
  if (cached !== undefined) {
    const perRequest = summarize(cached).redisCommandsPerRequest ?? 0;
    if (revocationOption === false) {
      notes.push(
        "This source tree does not know `sessions.revocation` yet: (5) passes `revocation: 'cached'` through a cast and runs today's strict check.",
      );
    }
    if (perRequest > 0.5) {
      notes.push(
        `(5) still made ${perRequest.toFixed(2)} Redis commands per request: the cached check is not in effect in this tree, so (5) measures a round trip per request like (6).`,
      );
    }
  }
  if (strict !== undefined && (summarize(strict).redisCommandsPerRequest ?? 0) < 0.5) {
    notes.push('(6) made less than one Redis command per request: strict mode is not doing its round trip.');
  }
  const busiest = Math.max(...results.map((result) => summarize(result).otherCpu ?? 0));
  if (busiest > 0.15) {
    notes.push(
      `Other processes were busy during the run (up to ${Math.round(busiest * 100)}% of a core in a scenario's median round, column "other CPU"): on 2 cores that moves the figures; the rotating rounds spread it over all scenarios.`,
    );
  }
  const micros = (id: string) => {
    const result = find(id);
    return result === undefined ? undefined : summarize(result).serverMicros;
  };
  const costOf = (a: string, b: string) => {
    const ma = micros(a);
    const mb = micros(b);
    return ma === undefined || mb === undefined ? undefined : ma - mb;
  };
  const redisCheck = costOf('fastify-jwt-redis', 'fastify-jwt');
  if (redisCheck !== undefined) {
    notes.push(
      `One Redis EXISTS per request cost the @fastify/jwt server ${redisCheck.toFixed(1)} µs of CPU per request ((3) - (2)): node-redis pipelines the commands of concurrent requests into shared writes, so a round trip adds latency more than CPU.`,
    );
  }
  for (const [id, label] of [
    ['bare-header', '(1b) reading the Authorization header'],
    ['authjwt-tokens', '(4b) tokens only'],
    ['authjwt-tokens-uncached', '(4c) tokens, no verify cache'],
    ['authjwt-stateless', '(4) stateless'],
    ['authjwt-cached', '(5) cached'],
    ['authjwt-strict', '(6) strict'],
    ['fastify-jwt', '(2) @fastify/jwt'],
  ] as const) {
    const over = costOf(id, 'bare');
    if (over === undefined) continue;
    // Below a microsecond the difference is this machine's noise, and a negative one reads as nonsense.
    notes.push(
      over < 1
        ? `${label} cost no measurable server CPU per request over the bare route (${over.toFixed(1)} µs, within noise).`
        : `${label} cost ${over.toFixed(1)} µs of server CPU per request over the bare route.`,
    );
  }
  const headerCeiling = ratio(results, 'bare-header', 'bare');
  const cachedUnderCeiling = ratio(results, 'authjwt-cached', 'bare-header');
  const existsCheck = ratio(results, 'fastify-jwt-redis', 'bare');
  if (headerCeiling !== undefined && cachedUnderCeiling !== undefined && existsCheck !== undefined) {
    notes.push(
      `(1b), reading the Authorization header alone, runs at ${headerCeiling.median.toFixed(2)}x the bare route; (5) cached runs at ${cachedUnderCeiling.median.toFixed(2)}x (1b); twice (3) would be ${(2 * existsCheck.median).toFixed(2)}x the bare route.`,
    );
  }
  if (find('authjwt-tokens-uncached') !== undefined || find('authjwt-tokens') !== undefined) {
    notes.push(
      "Every scenario cycles the same 64 users' tokens, so authjwt's verified-token cache (default 10,000 tokens) checks each signature once and then answers from memory: the steady state of clients that reuse their access token. (4c) shows the cost without it.",
    );
  }
  const bare = find('bare');
  const bareServer = bare === undefined ? undefined : summarize(bare).serverCpu;
  if (bareServer !== undefined && bareServer < 0.95) {
    notes.push(
      `Under the bare route the server process used ${Math.round(bareServer * 100)}% of a core, not all of it: the ceiling is partly this 2-core machine (load generator and kernel networking beside the server), so ratios close to (1) are compressed.`,
    );
  }
  if (bare !== undefined && (summarize(bare).loaderCpu ?? 0) > 0.9) {
    notes.push(
      `While loading the bare route the load generator itself used ${Math.round((summarize(bare).loaderCpu ?? 0) * 100)}% of a core, so the ceiling is partly the loader's: ratios to (1) are upper bounds.`,
    );
  }
  return notes;
}
