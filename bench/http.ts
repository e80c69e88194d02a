/**
 * HTTP throughput of a token-checked Fastify route: authjwt (tokens only, Redis sessions cached and
 * strict) against a bare route and @fastify/jwt (alone and with a Redis revocation lookup),
 * plus logins/s and refreshes/s with Redis. `npm run bench:http -- --help` for options.
 *
 * Every scenario is served by its own child process (bench/http/server.ts, Fastify with no logger, on
 * a free 127.0.0.1 port) and loaded from this process with autocannon (bench/http/harness.ts): after a
 * warm-up, each round loads every scenario once, in a rotating order, so the slow drift of this
 * machine's speed falls on every scenario alike; req/s and latency are medians over rounds, and a
 * ratio is the median of the per-round ratios. Every token-checked scenario passes a pre-flight check
 * first (bench/http/tokens.ts). Results go to bench/RESULTS.md (section "http") and
 * bench/http-throughput.svg. bench/frameworks.ts compares the same route across Fastify, Express and Hono.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Client } from 'autocannon';
import { parseHttpArgs } from './http/args.js';
import { throughputChart } from './http/chart.js';
import {
  autocannonVersion,
  cpuDescription,
  createHarness,
  disturbedCpu,
  type LoadTarget,
  log,
  maxRepeats,
  sourceVersion,
} from './http/harness.js';
import type { LoadPlan } from './http/load.js';
import type { ServerProcess } from './http/processes.js';
import { summarizeProfile } from './http/profile.js';
import {
  consoleReport,
  markdownSection,
  type RunInfo,
  ratio,
  type ScenarioResult,
  sectionName,
  summarize,
} from './http/report.js';
import type { Scenario } from './http/scenarios.js';
import { createSessionMaker, getPlan, preflight, type SessionMaker } from './http/tokens.js';
import { writeMarkedSection } from './lib/sections.js';

const args = parseHttpArgs(process.argv.slice(2));
const resultsPath = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const chartPath = fileURLToPath(new URL('./http-throughput.svg', import.meta.url));
const profileDir = fileURLToPath(new URL(`../.bench-tmp/profiles/http-${Date.now()}`, import.meta.url));
const users = 64;
const prefix = 'bench:';

interface Target extends LoadTarget {
  readonly scenario: Scenario;
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

/** Logs `count` new users in on the server, in parallel. */
function logins(server: ServerProcess, count: number): Promise<Pair[]> {
  return Promise.all(
    Array.from({ length: count }, async () => json<Pair>(await post(`${server.url}/login`, {}), 'login')),
  );
}

const nameOf = (scenario: Scenario) => `(${scenario.number}) ${scenario.label}`;

function target(scenario: Scenario, server: ServerProcess, plan: () => Promise<LoadPlan>): Target {
  return { name: nameOf(scenario), scenario, server, redis: scenario.redis, plan, rounds: [] };
}

async function prepareLogin(scenario: Scenario, server: ServerProcess): Promise<Target> {
  await logins(server, 1);
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
  return target(scenario, server, async () => plan);
}

/**
 * Refresh: a rotated refresh token is spent, so every connection follows its own chain, sending the
 * token the previous response returned. Each run starts from new sessions (a connection cut at the end
 * of a run may have lost its newest token), with spares for a chain that breaks.
 */
async function prepareRefresh(scenario: Scenario, server: ServerProcess): Promise<Target> {
  const [pair] = await logins(server, 1);
  const rotated = await json<Pair>(
    await post(`${server.url}/refresh`, {}, { authorization: `Bearer ${(pair as Pair).refreshToken}` }),
    `${scenario.id}: POST /refresh`,
  );
  if (rotated.refreshToken === (pair as Pair).refreshToken) throw new Error('refresh did not rotate');
  return target(scenario, server, async (): Promise<LoadPlan> => {
    const pool = (await logins(server, args.connections + 16)).map((p) => p.refreshToken);
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
  });
}

/** `getPlan`: the same users' tokens for every token-checked scenario. */
async function prepare(
  scenario: Scenario,
  server: ServerProcess,
  sessions: SessionMaker,
  get: LoadPlan,
): Promise<Target> {
  switch (scenario.load) {
    case 'get':
      await preflight(nameOf(scenario), scenario, server.url, sessions);
      return target(scenario, server, async () => get);
    case 'login':
      return prepareLogin(scenario, server);
    case 'refresh':
      return prepareRefresh(scenario, server);
  }
}

const started = performance.now();
const cpu = cpuDescription();
const harness = createHarness(args);
const method =
  `Method: each scenario is served by its own process (Node, tsx, Fastify 5 with no logger) on 127.0.0.1 and ` +
  `loaded from the harness process by autocannon ${autocannonVersion()} with ${args.connections} connections, ` +
  `pipelining 1. After a ${args.warmupSeconds} s warm-up per scenario, ${args.rounds} round(s) of ` +
  `${args.seconds} s; each round loads every scenario once, in a rotating order. req/s counts 2xx responses; ` +
  'req/s, p50 and p99 (from autocannon per-response timings) are medians over rounds; a ratio is the median ' +
  `of the per-round ratios of req/s. Tokens: the same HS256 access tokens for every scenario, ${users} users ` +
  'logged in by the harness on the Redis store the authjwt servers share, cycled per connection; every ' +
  'token-checked server first answers 200 to a valid token and 401 to a tampered one (and, if it checks ' +
  `sessions, to one whose session ended). One redis-server started by the bench (no persistence) serves every ` +
  `scenario. ${harness.placement}; a round in which other processes used over ${disturbedCpu * 100}% of a ` +
  `core is measured again once the machine is quiet (at most ${maxRepeats} times a run).`;

log(`authjwt HTTP benchmark: Node ${process.version}, ${cpu}`);
log(`${method}${args.quick ? ' (--quick)' : ''}${args.profile ? ' (--profile)' : ''}\n`);

const busyBefore = await harness.waitForQuietMachine();
// Read before the servers start: they load src/ then, and it may change during the run.
const source = sourceVersion();
/** When the measured rounds began (process.hrtime, µs): profiles are summarized from then on. */
let roundsFromUs = 0;
let results: ScenarioResult[] = [];
let info: Omit<RunInfo, 'seconds'> | undefined;
try {
  const secret = randomBytes(64).toString('base64url');
  const redis = await harness.startRedis();
  const sessions = await createSessionMaker({ secret, redisUrl: redis.url, prefix });
  if (args.profile) mkdirSync(profileDir, { recursive: true });
  log(`starting ${args.scenarios.length} server processes and Redis ${redis.version}...`);
  const processes = await Promise.all(
    args.scenarios.map((scenario) =>
      harness.startServer(
        { scenario: scenario.id, secret, redisUrl: redis.url, prefix },
        args.profile
          ? // A directory per server: the module-hooks thread of tsx writes a profile of its own.
            ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, scenario.id)}`]
          : [],
      ),
    ),
  );
  const get = getPlan(
    await Promise.all(Array.from({ length: users }, (_, i) => sessions.login(`user-${i}`))),
  );
  const targets: Target[] = [];
  for (const [index, scenario] of args.scenarios.entries()) {
    targets.push(await prepare(scenario, processes[index] as ServerProcess, sessions, get));
  }
  await sessions.close();
  const revocationOption = processes.find(
    (server) => server.config.scenario === 'authjwt-cached',
  )?.revocationOption;

  await harness.warmUp(targets, args.warmupSeconds);
  roundsFromUs = Number(process.hrtime.bigint() / 1000n);
  await harness.measureRounds(targets, args.rounds, args.seconds);
  results = targets.map((t) => ({ scenario: t.scenario, rounds: t.rounds }));
  info = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpu,
    platform: `${platform()} ${arch()}`,
    redis: redis.version,
    method: `${method}${args.quick ? ' Quick run.' : ''}`,
    revocationOption,
    source,
    otherCpuBefore: busyBefore,
    repeatedRounds: harness.repeatedRounds(),
  };
} finally {
  await harness.cleanup();
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
  const redisCheck = costOf('middleware-exists', 'middleware');
  if (redisCheck !== undefined) {
    notes.push(
      `One Redis EXISTS per request cost the @fastify/jwt server ${redisCheck.toFixed(1)} µs of CPU per request ((3) - (2)): node-redis pipelines the commands of concurrent requests into shared writes, so a round trip adds latency more than CPU.`,
    );
  }
  for (const [id, label] of [
    ['bare-header', '(1b) reading the Authorization header'],
    ['authjwt-tokens', '(4b) tokens only'],
    ['authjwt-tokens-uncached', '(4c) tokens, no verify cache'],
    ['authjwt-cached', '(5) cached'],
    ['authjwt-strict', '(6) strict'],
    ['middleware', '(2) @fastify/jwt'],
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
  const existsCheck = ratio(results, 'middleware-exists', 'bare');
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
