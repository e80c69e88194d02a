/**
 * How long a revocation made on one instance takes to be honoured on every other (issues 3 and 12:
 * within 50 ms at the 99th percentile). N app processes in cached mode share one redis-server, or a
 * 3-master Cluster; for each of R sessions: log in on the first, read /me on every other (now served
 * from their caches, no round trip), log out on the first, and time from its 204 until the last of
 * the others answers 401 (each is polled on its own, concurrently). The figure includes one HTTP
 * request per poll, so it is an upper bound on propagation.
 *
 *   npm run bench:revocation [-- --rounds=1000 --instances=2 --cluster --no-write]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startRedisCluster, startRedisServer } from '../test/helpers/redis-server.js';
import { writeMarkedSection } from './lib/sections.js';

const argument = (name: string, fallback: number) => {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given === undefined ? fallback : Number(given.slice(name.length + 3));
};
const rounds = argument('rounds', 1000);
const instances = argument('instances', 2);
const onCluster = process.argv.includes('--cluster');
const root = fileURLToPath(new URL('../', import.meta.url));
const secret = randomBytes(32).toString('base64url');

function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    `${root}node_modules/.bin/tsx`,
    ['--conditions=authjwt-source', 'bench/revocation/server.ts'],
    { cwd: root, env: { ...process.env, ...env, JWT_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function post(url: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(url, { method: 'POST', headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Polls one instance until it refuses the token; returns how many requests it still answered 200. */
async function refusedBy(base: string, token: string, since: number): Promise<number> {
  for (let stale = 0; ; stale++) {
    const check = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    await check.arrayBuffer();
    if (check.status === 401) return stale;
    if (performance.now() - since > 5000)
      throw new Error('an instance still honours a revoked session after 5 s');
  }
}

const redis = onCluster ? await startRedisCluster() : await startRedisServer();
const env =
  'nodes' in redis
    ? { REDIS_CLUSTER_NODES: redis.nodes.map((node) => `${node.host}:${node.port}`).join(',') }
    : { REDIS_URL: redis.url };
const servers: ChildProcess[] = [];
try {
  const started = await Promise.all(Array.from({ length: instances }, () => startServer(env)));
  servers.push(...started.map((s) => s.child));
  const [origin, ...others] = started.map((s) => s.url) as [string, ...string[]];
  const latencies: number[] = [];
  const heardAfter: number[] = [];
  let stale = 0;
  for (let i = 0; i < rounds; i++) {
    const login = (await (await post(`${origin}/login`, { user: `user-${i % 50}` })).json()) as {
      accessToken: string;
      sessionId: string;
    };
    const token = login.accessToken;
    for (const other of others) {
      const warm = await fetch(`${other}/me`, { headers: { authorization: `Bearer ${token}` } });
      if (warm.status !== 200) throw new Error(`an instance refused a fresh session: ${warm.status}`);
      await warm.arrayBuffer();
    }
    const logout = await post(`${origin}/logout`, undefined, token);
    if (logout.status !== 204) throw new Error(`logout failed: ${logout.status}`);
    const revokedAt = performance.now();
    const revokedAtWall = performance.timeOrigin + revokedAt;
    const counts = await Promise.all(others.map((other) => refusedBy(other, token, revokedAt)));
    latencies.push(performance.now() - revokedAt);
    stale += counts.reduce((sum, n) => sum + n, 0);
    const heard = await Promise.all(
      others.map(
        async (other) =>
          ((await (await fetch(`${other}/heard/${login.sessionId}`)).json()) as { at: number }).at,
      ),
    );
    // Heard before the 204 reached this process counts as 0: the event is published inside the step.
    heardAfter.push(Math.max(0, Math.max(...heard) - revokedAtWall));
  }
  latencies.sort((x, y) => x - y);
  heardAfter.sort((x, y) => x - y);
  const topology = onCluster ? 'a 3-master Redis Cluster' : 'one redis-server';
  const p99 = percentile(latencies, 99);
  const lines = [
    `revocations: ${rounds}, ${instances} app processes (cached mode) on ${topology}`,
    `refused by every other instance after: median ${percentile(latencies, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${percentile(latencies, 100).toFixed(2)} ms (polled over HTTP)`,
    `heard by every other instance after: median ${percentile(heardAfter, 50).toFixed(2)} ms, p99 ${percentile(heardAfter, 99).toFixed(2)} ms, max ${percentile(heardAfter, 100).toFixed(2)} ms (each instance's own clock, no polling)`,
    `requests still answered 200 after the logout returned: ${stale} of ${rounds * others.length} first polls`,
    `goal (p99 <= 50 ms): ${p99 <= 50 ? 'met' : 'MISSED'}`,
  ];
  console.log(lines.join('\n'));
  if (!process.argv.includes('--no-write')) {
    const name = `revocation-${instances}${onCluster ? '-cluster' : ''}`;
    writeMarkedSection(
      new URL('RESULTS.md', import.meta.url).pathname,
      name,
      [
        `<!-- ${name}:start -->`,
        `## Revocation fan-out: ${instances} instances on ${topology}`,
        '',
        `Written by \`npm run bench:revocation -- --instances=${instances}${onCluster ? ' --cluster' : ''}\` on ${new Date().toISOString().slice(0, 10)}. Each round: log in on the first instance, read \`/me\` on every other (served from its cache), log out on the first, then poll every other instance concurrently until each answers 401; the time is from the logout's 204 until the last of them refused (one HTTP request per poll included).`,
        '',
        ...lines.map((line) => `- ${line}`),
        `<!-- ${name}:end -->`,
      ].join('\n'),
    );
  }
} finally {
  for (const child of servers) child.kill('SIGTERM');
  await redis.stop();
}
