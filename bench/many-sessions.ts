/**
 * One user with many sessions must not slow anyone down (issue 11, point 2). One server process (the
 * HTTP bench's strict Redis app: one store read per request, no session limit) on its own
 * redis-server; the harness loads `GET /me` with autocannon in four scenarios, each round running
 * every scenario once in a rotating order:
 *
 * - one:       a user with 1 session;
 * - thousand:  a user with 1,000 sessions (the per-request read must not grow with them);
 * - busy-1:    the 1-session user while another 1-session user lists its sessions and refreshes in a
 *              loop (the baseline of the next: the same work in Node, on a user Redis finds cheap);
 * - busy-1000: the 1-session user while the 1,000-session user lists and refreshes in a loop.
 *
 * Goals: thousand >= 0.9x one, and busy-1000 >= 0.9x busy-1 (the median of per-round ratios). A
 * listing returns the newest `sessions.listLimit` (100 by default), so it is bounded, not free.
 *
 *   npm run bench:many-sessions [-- --rounds=10 --seconds=1.5 --no-write]
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { type LoadResult, runLoad } from './http/load.js';
import { startServer } from './http/processes.js';
import { median, pairedRatios } from './lib/measure.js';
import { writeMarkedSection } from './lib/sections.js';

const argument = (name: string, fallback: number) => {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given === undefined ? fallback : Number(given.slice(name.length + 3));
};
const rounds = argument('rounds', 10);
const seconds = argument('seconds', 1.5);
const crowdSize = argument('sessions', 1000);
const write = !process.argv.includes('--no-write');
const connections = 32;

type ScenarioName = 'one' | 'thousand' | 'busy-1' | 'busy-1000';
const names: readonly ScenarioName[] = ['one', 'thousand', 'busy-1', 'busy-1000'];

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const redis = await startRedisServer();
const server = await startServer({
  scenario: 'authjwt-strict',
  secret: randomBytes(64).toString('base64url'),
  redisUrl: redis.url,
  prefix: 'many:',
});

async function post(path: string, body: unknown, token?: string): Promise<Tokens> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as Tokens;
}

/** Logs `user` in `count` times, a few at once; returns the last session's tokens. */
async function loginMany(user: string, count: number): Promise<Tokens> {
  let last: Tokens | undefined;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      last = await post('/login', { user });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (last === undefined) throw new Error('no login');
  return last;
}

/** Lists the user's sessions and rotates its refresh token, one after the other, until stopped. */
function backgroundLoop(tokens: Tokens): { stop(): Promise<{ loops: number; latest: Tokens }> } {
  let running = true;
  let loops = 0;
  let current = tokens;
  const done = (async () => {
    while (running) {
      const listed = await fetch(`${server.url}/sessions`, {
        headers: { authorization: `Bearer ${current.accessToken}` },
      });
      if (!listed.ok) throw new Error(`/sessions: ${listed.status}`);
      await listed.arrayBuffer();
      current = await post('/refresh', {}, current.refreshToken);
      loops += 1;
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { loops, latest: current };
    },
  };
}

function loadMe(token: string): Promise<LoadResult> {
  return runLoad(
    `${server.url}/me`,
    {
      kind: 'requests',
      requests: [{ method: 'GET', path: '/me', headers: { authorization: `Bearer ${token}` } }],
    },
    { connections, seconds },
  );
}

try {
  const solo = await loginMany('solo', 1);
  const pair = await loginMany('pair', 1);
  const started = performance.now();
  const crowd = await loginMany('crowd', crowdSize);
  const loginSeconds = (performance.now() - started) / 1000;
  const counted = await fetch(`${server.url}/sessions`, {
    headers: { authorization: `Bearer ${crowd.accessToken}` },
  });
  const crowdSessions = ((await counted.json()) as { count: number }).count;
  const loopers: Record<ScenarioName, Tokens | undefined> = {
    one: undefined,
    thousand: undefined,
    'busy-1': pair,
    'busy-1000': crowd,
  };
  // Refreshes rotate the loopers' tokens: each loop hands its latest pair to the next round.
  const run = async (name: ScenarioName): Promise<{ load: LoadResult; loopsPerSecond: number }> => {
    const looper = loopers[name];
    const loop = looper === undefined ? undefined : backgroundLoop(looper);
    const load = await loadMe(name === 'thousand' ? crowd.accessToken : solo.accessToken);
    const stopped = await loop?.stop();
    if (stopped !== undefined) loopers[name] = stopped.latest;
    return { load, loopsPerSecond: (stopped?.loops ?? 0) / load.seconds };
  };

  for (const name of names) await run(name); // warm-up
  const results: Record<
    ScenarioName,
    { rps: number[]; p50: number[]; p99: number[]; loops: number[]; failures: number }
  > = Object.fromEntries(
    names.map((name) => [name, { rps: [], p50: [], p99: [], loops: [], failures: 0 }]),
  ) as never;
  for (let round = 0; round < rounds; round += 1) {
    for (let n = 0; n < names.length; n += 1) {
      const name = names[(round + n) % names.length] as ScenarioName;
      const { load, loopsPerSecond } = await run(name);
      const result = results[name];
      result.rps.push(load.rps);
      result.p50.push(load.p50);
      result.p99.push(load.p99);
      result.loops.push(loopsPerSecond);
      result.failures += load.failures;
    }
    process.stdout.write(`round ${round + 1}/${rounds}\n`);
  }

  const ratio = (a: ScenarioName, b: ScenarioName) => median(pairedRatios(results[a].rps, results[b].rps));
  const goals = [
    { label: 'thousand (a user with 1,000 sessions) / one (a user with 1)', value: ratio('thousand', 'one') },
    {
      label: 'busy-1000 / busy-1 (another user, while the 1,000-session user lists and refreshes)',
      value: ratio('busy-1000', 'busy-1'),
    },
  ];
  const row = (name: ScenarioName, what: string) => {
    const r = results[name];
    const loops = median(r.loops);
    return `| ${name} | ${what} | ${Math.round(median(r.rps)).toLocaleString('en-US')} | ${median(r.p50).toFixed(2)} | ${median(r.p99).toFixed(2)} | ${loops === 0 ? '' : loops.toFixed(0)} | ${r.failures} |`;
  };
  const section = [
    '<!-- many-sessions:start -->',
    '## One user with many sessions',
    '',
    `Written by \`npm run bench:many-sessions\` (bench/many-sessions.ts) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores).`,
    `Method: one server process (the HTTP bench's strict Redis app: one store read per request, \`maxSessions: 0\`) on its own redis-server; \`GET /me\` loaded by autocannon from this process, ${connections} connections, ${rounds} rounds of ${seconds} s, each round running every scenario once in a rotating order after a warm-up; req/s, p50 and p99 are medians over rounds, a ratio is the median of the per-round ratios. The background loop (busy-*) is one client in this process that lists its user's sessions (\`GET /sessions\`: the newest 100, the default \`sessions.listLimit\`) and then rotates its refresh token (\`POST /refresh\`), again and again. The 1,000 sessions (${crowdSessions} live) took ${loginSeconds.toFixed(1)} s to create over HTTP.`,
    '',
    '| scenario | what | req/s | p50 ms | p99 ms | background loops/s | failures |',
    '|---|---|---:|---:|---:|---:|---:|',
    row('one', 'strict `/me` of a user with 1 session'),
    row('thousand', `strict \`/me\` of a user with ${crowdSize.toLocaleString('en-US')} sessions`),
    row('busy-1', 'the 1-session user, while another 1-session user lists and refreshes in a loop'),
    row(
      'busy-1000',
      `the 1-session user, while the ${crowdSize.toLocaleString('en-US')}-session user lists and refreshes in a loop`,
    ),
    '',
    '### Goals (issue 11: within 10% of the baseline)',
    '',
    ...goals.map(
      (goal) =>
        `- [${goal.value >= 0.9 ? 'x' : ' '}] ${goal.label}: ${goal.value.toFixed(2)}x: ${goal.value >= 0.9 ? 'pass' : 'FAIL'}`,
    ),
    `- For information: busy-1000 / one (the background loop's own cost in the server included): ${ratio('busy-1000', 'one').toFixed(2)}x.`,
    '<!-- many-sessions:end -->',
  ].join('\n');
  console.log(`\n${section}`);
  if (write) writeMarkedSection(new URL('RESULTS.md', import.meta.url).pathname, 'many-sessions', section);
} finally {
  await server.stop();
  await redis.stop();
}
