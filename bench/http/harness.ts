/**
 * The load harness shared by bench/http.ts and bench/frameworks.ts: it starts Redis and the server
 * processes (and stops them, whatever ends the run), waits for a quiet machine, and loads the targets
 * from this process with autocannon in rounds: each round loads every target once, in a rotating
 * order, so the slow drift of this machine's speed falls on every target alike. A round that other
 * processes disturbed is measured again, within a budget.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedisServer } from '../../test/helpers/redis-server.js';
import { type CpuPlan, pinProcess, planCpus } from './affinity.js';
import { type LoadPlan, runLoad } from './load.js';
import {
  machineCpuSeconds,
  type ServerProcess,
  type StartOptions,
  startServer,
  stopAll,
} from './processes.js';
import type { RoundSample } from './report.js';
import type { ServerConfig } from './scenarios.js';

export const log = (message: string) => process.stderr.write(`${message}\n`);
export const cpuText = (cores: number) => `${Math.round(cores * 100)}%`.padStart(4);

/** One server under load and how to load it. */
export interface LoadTarget {
  /** For the progress log. */
  readonly name: string;
  readonly server: ServerProcess;
  /**
   * More processes serving the same variant (`server` is the first): round N loads the Nth, in turn,
   * so that no ratio rests on one process's luck (see bench/frameworks.ts).
   */
  readonly replicas?: readonly ServerProcess[];
  /** Whether the server talks to Redis (then Redis's CPU and commands are read around each round). */
  readonly redis: boolean;
  /** The plan for the next run (a fresh one each time for loads that use up their tokens). */
  plan(): Promise<LoadPlan>;
  readonly rounds: RoundSample[];
}

export interface HarnessOptions {
  readonly connections: number;
  /** Wait for quiet: up to 15 min before starting, 2 min before measuring a disturbed round again. */
  readonly waitIdle: boolean;
  /** Give the servers a core of their own (taskset), the load generator and Redis the others. */
  readonly pin: boolean;
}

/** Other processes using less than this (cores) leave the machine quiet... */
const quietCpu = 0.15;
/** ...and a round in which they used more than this is measured again... */
export const disturbedCpu = 0.25;
/** ...at most this many times in a run (about a minute more in a full run). */
export const maxRepeats = 10;

export type Harness = ReturnType<typeof createHarness>;

export function createHarness(options: HarnessOptions) {
  const servers: ServerProcess[] = [];
  let redis: RedisServer | undefined;
  let cleaning: Promise<void> | undefined;
  let repeated = 0;
  const cpuPlan: CpuPlan | undefined = options.pin ? planCpus() : undefined;
  if (cpuPlan !== undefined) pinProcess(process.pid, cpuPlan.load);

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

  /** CPU seconds used on the machine by everything but this harness and its servers (Redis included). */
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

  /** Waits until other processes use under 15% of a core over a second, for at most `maxMs`. */
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

  async function redisStats(): Promise<{ commands: number; cpu: number } | undefined> {
    if (redis === undefined) return undefined;
    const info = await redis.command('INFO');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    return {
      commands: field('total_commands_processed'),
      cpu: field('used_cpu_user') + field('used_cpu_sys'),
    };
  }

  async function measure(target: LoadTarget, seconds: number, round: number): Promise<RoundSample> {
    const server = target.replicas?.[round % target.replicas.length] ?? target.server;
    const plan = await target.plan();
    const redisBefore = target.redis ? await redisStats() : undefined;
    const tripsBefore = (await server.stats()).roundTrips;
    const othersBefore = othersCpuSeconds();
    const serverBefore = server.cpuSeconds();
    const loaderBefore = process.cpuUsage();
    const started = performance.now();
    const result = await runLoad(server.url, plan, { connections: options.connections, seconds });
    const wall = (performance.now() - started) / 1000;
    const loader = process.cpuUsage(loaderBefore);
    const serverCpu = (server.cpuSeconds() - serverBefore) / wall;
    const othersCpu = (othersCpuSeconds() - othersBefore) / wall;
    const redisAfter = redisBefore === undefined ? undefined : await redisStats();
    const trips = (await server.stats()).roundTrips - tripsBefore;
    const loaderCpu = (loader.user + loader.system) / 1e6 / wall;
    const redisCpu = redisAfter && redisBefore ? (redisAfter.cpu - redisBefore.cpu) / wall : undefined;
    if (result.failures > 0) {
      log(`  ${target.name}: ${result.failures} failed requests (first status ${result.firstFailureStatus})`);
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

  return {
    /** How the processes share the machine, for the method text. */
    placement:
      cpuPlan === undefined
        ? `Load generator, server and Redis share the machine${options.pin ? ' (--pin asked, but no taskset or a single core)' : ''}`
        : `Pinned with taskset: the server under load runs alone on CPU ${cpuPlan.server}, the load generator and Redis on CPU ${cpuPlan.load}, as if the load came from another machine; other processes run anywhere`,
    /** Rounds measured again so far because other processes disturbed them. */
    repeatedRounds: () => repeated,

    /** Starts the one redis-server of the run (no persistence, a free port); returns its URL and version. */
    async startRedis(): Promise<{ url: string; version: string | undefined }> {
      redis = await startRedisServer();
      const info = await redis.command('INFO', 'server');
      const pid = /process_id:(\d+)/.exec(info)?.[1];
      if (cpuPlan !== undefined && pid !== undefined) pinProcess(Number(pid), cpuPlan.load);
      return { url: redis.url, version: /redis_version:(\S+)/.exec(info)?.[1] };
    },

    /** Starts a server process on the servers' CPUs; it is stopped by `stop` or at the end of the run. */
    async startServer(config: ServerConfig, nodeFlags: readonly string[] = []): Promise<ServerProcess> {
      const startOptions: StartOptions = {
        nodeFlags,
        // A dozen tsx processes starting at once on a busy 2-core machine can take a while.
        timeoutMs: 120_000,
        ...(cpuPlan !== undefined && { cpus: cpuPlan.server }),
      };
      const server = await startServer(config, startOptions);
      servers.push(server);
      return server;
    },

    async stop(stopped: readonly ServerProcess[]): Promise<void> {
      await stopAll(stopped);
      for (const server of stopped) {
        const index = servers.indexOf(server);
        if (index !== -1) servers.splice(index, 1);
      }
    },

    cleanup,

    /**
     * Other work on a 2-core machine moves every figure. Without --wait-idle, warn; with it, wait up
     * to 15 minutes for quiet. Returns the busy figure (cores) just before the run.
     */
    async waitForQuietMachine(): Promise<number> {
      if (options.waitIdle) return quietWithin(15 * 60_000);
      const busy = await sampleBusy(2000);
      if (busy >= quietCpu) {
        log(
          `warning: other processes keep ${cpuText(busy).trim()} of a core busy; figures will be noisy (--wait-idle waits for quiet)`,
        );
      }
      return busy;
    },

    /** Unmeasured load on every target's every process, one after the other. */
    async warmUp(targets: readonly LoadTarget[], seconds: number): Promise<void> {
      if (seconds <= 0) return;
      log(`warm-up: ${seconds} s per server process`);
      for (const target of targets) {
        for (const server of target.replicas ?? [target.server]) {
          await runLoad(server.url, await target.plan(), { connections: options.connections, seconds });
        }
      }
    },

    /** `rounds` rounds of `seconds` per target, in a rotating order; samples go to `target.rounds`. */
    async measureRounds(targets: readonly LoadTarget[], rounds: number, seconds: number): Promise<void> {
      for (let round = 0; round < rounds; round++) {
        log(`round ${round + 1}/${rounds}`);
        for (let index = 0; index < targets.length; index++) {
          const target = targets[(index + round) % targets.length] as LoadTarget;
          for (;;) {
            await sleep(100);
            const sample = await measure(target, seconds, round);
            const rps = Math.round(sample.rps).toLocaleString('en-US');
            log(
              `  ${target.name.padEnd(36)} ${rps.padStart(7)} req/s  p99 ${sample.p99.toFixed(2).padStart(6)} ms  ` +
                `CPU: server ${cpuText(sample.serverCpu)} load ${cpuText(sample.loaderCpu)} ` +
                `Redis ${cpuText(sample.redisCpu ?? 0)} other ${cpuText(sample.otherCpu)}`,
            );
            if (sample.otherCpu > disturbedCpu && repeated < maxRepeats) {
              repeated++;
              log(
                `    disturbed by other processes: measuring again (${repeated}/${maxRepeats}) once it is quiet`,
              );
              await quietWithin(options.waitIdle ? 120_000 : 5_000);
              continue;
            }
            target.rounds.push(sample);
            break;
          }
        }
      }
    },
  };
}

/** The commit measured, and whether src/ had uncommitted changes (the bench runs src/ through tsx). */
export function sourceVersion(): string {
  try {
    const run = (...command: string[]) =>
      execFileSync('git', command, {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        encoding: 'utf8',
      }).trim();
    const dirty = run('status', '--porcelain', '--', 'src').length > 0;
    return `git ${run('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown source version';
  }
}

export function autocannonVersion(): string {
  const manifest = fileURLToPath(new URL('../../node_modules/autocannon/package.json', import.meta.url));
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export function cpuDescription(): string {
  const list = cpus();
  return `${list[0]?.model.trim() ?? 'unknown CPU'} (${list.length} cores)`;
}
