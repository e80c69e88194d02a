/**
 * The same token-checked route on Fastify, Express and Hono (issue 13): per framework, a bare route,
 * the framework's usual JWT middleware (@fastify/jwt, express-jwt, hono/jwt), that middleware plus one
 * Redis EXISTS of the session's key, and authjwt's adapter on Redis sessions, cached and strict.
 * `npm run bench:frameworks -- --help` for options.
 *
 * One run per framework, on the machinery of bench/http.ts (bench/http/harness.ts): each variant in a
 * server process of its own on 127.0.0.1, loaded by autocannon from this process in rounds that
 * rotate the variants; ratios are medians of per-round ratios within a framework. Every variant checks
 * the same access tokens and passes a pre-flight check first (bench/http/tokens.ts). Results go to
 * bench/RESULTS.md (section "frameworks") and bench/frameworks-throughput.svg.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseLoadOptions } from './http/args.js';
import { barChart } from './http/chart.js';
import {
  consoleFrameworkReport,
  type FrameworkRun,
  frameworksSection,
  sectionName,
} from './http/framework-report.js';
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
import { summarize } from './http/report.js';
import { type Framework, type Scenario, type ScenarioId, scenarioById } from './http/scenarios.js';
import { createSessionMaker, getPlan, preflight } from './http/tokens.js';
import { writeMarkedSection } from './lib/sections.js';

const frameworks: Record<Framework, { readonly name: string; readonly middleware: string }> = {
  fastify: { name: 'Fastify 5', middleware: '@fastify/jwt' },
  express: { name: 'Express 5', middleware: 'express-jwt' },
  hono: { name: 'Hono 4', middleware: 'hono/jwt' },
};
const frameworkIds = Object.keys(frameworks) as Framework[];

const usage = `usage: npm run bench:frameworks -- [FRAMEWORK ...] [--quick] [--rounds=N] [--seconds=N] [--warmup=N]
                               [--connections=N] [--wait-idle] [--pin] [--write|--no-write]

  FRAMEWORK       ${frameworkIds.join(', ')} (default: all, one run each)
  --quick         3 rounds of 1 s per variant after a 1 s warm-up (a sanity run: about 3 minutes),
                  instead of 48 rounds of 0.5 s after 2 s per process (about 15 minutes)
  --rounds=N      rounds; each round loads every variant of the framework once, in a rotating order
  --seconds=N     seconds of load per variant per round
  --warmup=N      seconds of load per variant before the first round (not measured)
  --connections=N concurrent connections (default 50; pipelining is always 1)
  --wait-idle     wait for other processes to leave the machine quiet (see bench:http --help)
  --pin           give the servers a core of their own, the load generator and Redis the others (taskset)
  --write         rewrite the frameworks section of bench/RESULTS.md and its chart even for a partial run
  --no-write      never touch them

They are rewritten by default only for a full run (every framework, not --quick).`;

const options = parseLoadOptions(process.argv.slice(2), usage, 'bench:frameworks');
for (const filter of options.filters) {
  if (!frameworkIds.includes(filter as Framework)) {
    console.error(`bench:frameworks: no framework "${filter}"\n\n${usage}`);
    process.exit(2);
  }
}
const selected = frameworkIds.filter((id) => options.filters.length === 0 || options.filters.includes(id));
const args = {
  ...options,
  // Many short rounds rather than a few long ones: on these machines the same code's speed drifts by
  // a fifth within seconds, and a median of per-round ratios gets sharper with the number of rounds.
  rounds: options.rounds ?? (options.quick ? 3 : 48),
  seconds: options.seconds ?? (options.quick ? 1 : 0.5),
  warmupSeconds: options.warmup ?? (options.quick ? 1 : 2),
  write: options.write ?? (options.filters.length === 0 && !options.quick),
};
const resultsPath = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const chartFile = 'frameworks-throughput.svg';
const users = 64;
/**
 * Processes of the same code differ by up to a tenth in throughput, round after round (their memory
 * layout, their JIT's choices; measured with three bare-route processes side by side on 2026-11-30),
 * so each variant is served by several, which take turns round by round.
 */
const processesPerVariant = 3;
const prefix = 'bench:';

/** The five variants, as the framework names them; numbered 1 to 5 here. */
function variantsOf(framework: Framework): Scenario[] {
  const { name, middleware } = frameworks[framework];
  const labels: [ScenarioId, string][] = [
    ['bare', `bare ${name.split(' ')[0]} route`],
    ['middleware', middleware],
    ['middleware-exists', `${middleware} + Redis EXISTS`],
    ['authjwt-cached', 'authjwt, cached'],
    ['authjwt-strict', 'authjwt, strict'],
    // Hono composes a chain per request for a route of two handlers; (4) and (5) use one (guard.handle).
    ...(framework === 'hono'
      ? [['authjwt-cached-middleware', 'authjwt, cached, guard as middleware'] as [ScenarioId, string]]
      : []),
  ];
  return labels.map(([id, label], index) => ({ ...scenarioById(id), number: String(index + 1), label }));
}

const variantNotes = [
  '(1) bare route: `GET /me` answers `{sub}` without looking at the token (the same request as the others): the ceiling.',
  "(2) the framework's usual JWT middleware, as its README sets it up, HS256 pinned: @fastify/jwt's `request.jwtVerify()` in an onRequest hook; `expressjwt({ secret, algorithms: ['HS256'] })` with a JSON error handler; hono/jwt's `jwt({ secret, alg: 'HS256', verification: { typ: 'at+jwt' } })`. Both of the last two take the secret as text, as their READMEs show, and pay for it on every request: jsonwebtoken (under express-jwt) first tries to parse the text as a PEM public key and fails (the token sign/verify section: 1,084 HS256 verifies/s against 32,691/s with a `KeyObject`, on 2026-11-29), hono/jwt imports it as a WebCrypto key.",
  "(3) (2), then `EXISTS` of the session's key on a node-redis client (the client the authjwt store uses here), 401 when it is gone: the usual hand-made revocation check.",
  "(4) authjwt's adapter (the Fastify plugin's `requireAccess()` as onRequest; Express's `requireAccess()` middleware; on Hono `requireAccess().handle(handler)`, the guard and the handler as the route's one handler) over `redisStore` sessions with `revocation: 'cached'`.",
  "(5) the same with `revocation: 'strict'`: one Redis round trip per request.",
  "(6), Hono only: (4) with the guard as a middleware before the handler (`app.get('/me', guard, handler)`): Hono then composes a chain for every request, which a middleware that does nothing already costs about a tenth of the bare route's throughput.",
];

const started = performance.now();
const cpu = cpuDescription();
const harness = createHarness(args);
const method =
  'Method: one run per framework. Each variant is served by ' +
  `${processesPerVariant} processes of its own (Node, tsx, the framework with no logger) on 127.0.0.1, which ` +
  'take turns round by round (processes of the same code differ by up to a tenth), and loaded from the ' +
  `harness process by autocannon ${autocannonVersion()} with ${args.connections} connections, pipelining 1. ` +
  `After a ${args.warmupSeconds} s warm-up per process, ${args.rounds} round(s) of ${args.seconds} s; each ` +
  'round loads every variant of the framework once, in a rotating order. req/s counts 2xx responses; req/s, p50 and p99 are medians over rounds; a ratio is the ' +
  'median of the per-round ratios of req/s, so it compares variants of one framework measured side by side ' +
  `(req/s across frameworks were measured minutes apart). Tokens: the same HS256 access tokens for every ` +
  `variant, ${users} users logged in by the harness with authjwt on the Redis store the authjwt servers ` +
  'share (the peers verify them with the same secret), cycled per connection. Before it is loaded, every ' +
  'variant answers 200 naming the user to a valid token and 401 to a tampered one (not the bare route) and ' +
  'to one whose session ended ((3) to (5)). One redis-server started by the bench (no persistence). ' +
  `${harness.placement}; a round in which other processes used over ${disturbedCpu * 100}% of a core is ` +
  `measured again once the machine is quiet (at most ${maxRepeats} times a run).`;

log(`authjwt framework benchmark: Node ${process.version}, ${cpu}`);
log(`${method}${args.quick ? ' (--quick)' : ''}\n`);

const busyBefore = await harness.waitForQuietMachine();
// Read before the servers start: they load src/ then, and it may change during the run.
const source = sourceVersion();
const runs: FrameworkRun[] = [];
let redisVersion: string | undefined;
try {
  const secret = randomBytes(64).toString('base64url');
  const redis = await harness.startRedis();
  redisVersion = redis.version;
  const sessions = await createSessionMaker({ secret, redisUrl: redis.url, prefix });
  const plan = getPlan(
    await Promise.all(Array.from({ length: users }, (_, i) => sessions.login(`user-${i}`))),
  );
  for (const framework of selected) {
    const { name } = frameworks[framework];
    const variants = variantsOf(framework);
    log(`\n${name}: starting ${variants.length * processesPerVariant} server processes...`);
    const servers = await Promise.all(
      variants.flatMap((scenario) =>
        Array.from({ length: processesPerVariant }, () =>
          harness.startServer({ scenario: scenario.id, framework, secret, redisUrl: redis.url, prefix }),
        ),
      ),
    );
    const targets: (LoadTarget & { scenario: Scenario })[] = [];
    for (const [index, scenario] of variants.entries()) {
      const replicas = servers.slice(index * processesPerVariant, (index + 1) * processesPerVariant);
      const targetName = `${framework} (${scenario.number}) ${scenario.label}`;
      for (const server of replicas) await preflight(targetName, scenario, server.url, sessions);
      targets.push({
        name: targetName,
        scenario,
        server: replicas[0] as (typeof replicas)[number],
        replicas,
        redis: scenario.redis,
        plan: async () => plan,
        rounds: [],
      });
    }
    await harness.warmUp(targets, args.warmupSeconds);
    await harness.measureRounds(targets, args.rounds, args.seconds);
    runs.push({
      name,
      results: targets.map((target) => ({ scenario: target.scenario, rounds: target.rounds })),
    });
    await harness.stop(servers);
  }
  await sessions.close();
} finally {
  await harness.cleanup();
}

const seconds = (performance.now() - started) / 1000;
console.log(`\n${consoleFrameworkReport(runs)}`);
console.log(`\nWhole run: ${seconds.toFixed(0)} s.`);
const notes = notesOf(runs);
for (const note of notes) console.log(`note: ${note}`);

if (args.write) {
  const date = new Date().toISOString().slice(0, 10);
  const caption = `${date}, Node ${process.version}, ${cpu}; autocannon ${args.connections} connections; medians of ${args.rounds} x ${args.seconds} s`;
  const chart = barChart({
    title: "Requests per second relative to each framework's bare route (higher is better)",
    caption,
    groups: runs.map((run) => ({ heading: run.name, results: run.results })),
    goal: { at: 0.9, label: 'goal of (4) cached: 0.9x' },
    legend:
      'grey: bare route; amber: the JWT middleware, alone and with EXISTS; blue: authjwt. Whiskers: lowest to highest round.',
  });
  writeFileSync(fileURLToPath(new URL(chartFile, import.meta.url)), chart);
  const info = {
    date,
    node: process.version,
    cpu,
    platform: `${platform()} ${arch()}`,
    redis: redisVersion,
    method: `${method}${args.quick ? ' Quick run.' : ''}`,
    seconds,
    source,
    repeatedRounds: harness.repeatedRounds(),
    otherCpuBefore: busyBefore,
    revocationOption: undefined,
  };
  writeMarkedSection(resultsPath, sectionName, frameworksSection(runs, info, chartFile, variantNotes, notes));
  console.log(`Wrote the "${sectionName}" section of ${resultsPath} and bench/${chartFile}.`);
} else {
  console.log('bench/RESULTS.md and the chart not written (partial or quick run; --write forces it).');
}

/** What a reader needs to know to read the figures right: a variant not doing what it says, a busy machine. */
function notesOf(runs: readonly FrameworkRun[]): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const trips = (id: ScenarioId) => {
      const result = run.results.find((candidate) => candidate.scenario.id === id);
      return result === undefined ? undefined : summarize(result).roundTripsPerRequest;
    };
    if ((trips('authjwt-cached') ?? 0) > 0.5) {
      notes.push(
        `${run.name}: cached made ${trips('authjwt-cached')?.toFixed(2)} Redis round trips per request: its cache is not in effect.`,
      );
    }
    for (const id of ['middleware-exists', 'authjwt-strict'] as const) {
      if ((trips(id) ?? 1) < 0.5)
        notes.push(`${run.name}: ${id} made under one Redis round trip per request.`);
    }
    const failed = run.results.filter((result) => summarize(result).failures > 0);
    if (failed.length > 0) {
      notes.push(
        `${run.name}: requests failed under load in ${failed.map((result) => `(${result.scenario.number})`).join(', ')}.`,
      );
    }
  }
  const busiest = Math.max(
    0,
    ...runs.flatMap((run) => run.results.map((result) => summarize(result).otherCpu ?? 0)),
  );
  if (busiest > 0.15) {
    notes.push(
      `Other processes were busy during the run (up to ${Math.round(busiest * 100)}% of a core in a variant's median round): on 2 cores that moves the figures; the rotating rounds spread it over all variants.`,
    );
  }
  return notes;
}
