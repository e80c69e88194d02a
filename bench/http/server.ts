/**
 * One scenario's server process: builds its app (Fastify: apps.ts; Express and Hono:
 * framework-apps.ts), listens on a free loopback port, tells the harness the port over IPC, and exits
 * on SIGTERM/SIGINT or as soon as the harness goes away (the IPC channel closes), so no server
 * outlives a run.
 *
 * Started by bench/http.ts, bench/frameworks.ts and bench/many-sessions.ts as
 * `node --import tsx --conditions=authjwt-source bench/http/server.ts` with BENCH_SERVER_CONFIG (JSON,
 * see ServerConfig) in its environment.
 */
import { type BenchApp, buildFastifyApp, counters, revocationOptionKnown } from './apps.js';
import { type ReadyMessage, type ServerConfig, type StatsMessage, statsRequest } from './scenarios.js';

const config = JSON.parse(process.env.BENCH_SERVER_CONFIG ?? 'null') as ServerConfig | null;
if (config === null || typeof process.send !== 'function') {
  console.error('bench/http/server.ts is started by the HTTP benches (it needs BENCH_SERVER_CONFIG and IPC)');
  process.exit(2);
}

const { framework = 'fastify' } = config;
// Loaded only where needed, so a Fastify server does not load Express and Hono as well.
const app: BenchApp =
  framework === 'fastify'
    ? await buildFastifyApp(config)
    : await (await import('./framework-apps.js')).buildFrameworkApp({ ...config, framework });
const port = await app.listen();

let closing = false;
function shutdown(code: number): void {
  if (closing) return;
  closing = true;
  // A normal exit, so that --cpu-prof writes its profile.
  const force = setTimeout(() => process.exit(code), 3000);
  force.unref();
  app.close().then(
    () => process.exit(code),
    () => process.exit(1),
  );
}
process.once('SIGTERM', () => shutdown(0));
process.once('SIGINT', () => shutdown(0));
process.once('disconnect', () => shutdown(0));
process.on('message', (message) => {
  if (message !== statsRequest) return;
  const stats: StatsMessage = { stats: { ...counters } };
  process.send?.(stats);
});

const ready: ReadyMessage = {
  ready: true,
  port,
  revocationOption: revocationOptionKnown(config.secret),
};
process.send(ready);
