/**
 * Server processes of the HTTP bench: one per scenario, started here and stopped here. Every child
 * is tracked; whatever is still running when the harness exits (normally, on an error, or on
 * SIGINT/SIGTERM) is killed. The children also exit by themselves when the IPC channel to the harness
 * closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './affinity.js';
import { type ReadyMessage, type ServerConfig, type StatsMessage, statsRequest } from './scenarios.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const serverEntry = fileURLToPath(new URL('./server.ts', import.meta.url));
const children = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface ServerProcess {
  readonly config: ServerConfig;
  readonly pid: number;
  readonly url: string;
  readonly revocationOption: boolean;
  /** CPU seconds (user + system) the process has used so far, from /proc. */
  cpuSeconds(): number;
  /** The server's counters (its Redis round trips so far). */
  stats(): Promise<StatsMessage['stats']>;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. Resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  readonly timeoutMs?: number;
  /** CPUs to run on (taskset syntax); anywhere when absent. */
  readonly cpus?: string;
  /** A command the server runs under, with its arguments (e.g. valgrind's); none when absent. */
  readonly wrapper?: readonly string[];
}

export function startServer(config: ServerConfig, options: StartOptions = {}): Promise<ServerProcess> {
  const [pinned, pinnedArgs] = pinnedCommand(options.cpus, process.execPath, [
    '--import',
    'tsx',
    '--conditions=authjwt-source',
    ...(options.nodeFlags ?? []),
    serverEntry,
  ]);
  const argv = [...(options.wrapper ?? []), pinned, ...pinnedArgs];
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: root,
    env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify(config), NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      children.delete(child);
      resolve();
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`${config.scenario}: the server did not start within ${options.timeoutMs ?? 30_000} ms`),
      );
    }, options.timeoutMs ?? 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${config.scenario}: the server exited (${signal ?? code}) before it listened`));
    });
    child.once('message', (message: ReadyMessage) => {
      clearTimeout(timer);
      const pid = child.pid as number;
      resolve({
        config,
        pid,
        url: `http://127.0.0.1:${message.port}`,
        revocationOption: message.revocationOption,
        cpuSeconds: () => processCpuSeconds(pid),
        stats: () =>
          new Promise((resolveStats, rejectStats) => {
            const onMessage = (answer: StatsMessage) => {
              if (typeof answer !== 'object' || answer === null || !('stats' in answer)) return;
              child.off('message', onMessage);
              resolveStats(answer.stats);
            };
            child.on('message', onMessage);
            child.send(statsRequest, (error) => {
              if (error !== null) {
                child.off('message', onMessage);
                rejectStats(error);
              }
            });
          }),
        stop,
      });
    });
  });
}

const clockTicks = 100;

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15), in seconds; NaN elsewhere. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU time of the whole machine so far (every core, every process), in seconds, from /proc/stat. */
export function machineCpuSeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** Stops every server still running. */
export async function stopAll(servers: readonly ServerProcess[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}
