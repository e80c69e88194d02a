/**
 * CPU pinning for the HTTP bench. On a machine with few cores the load generator, Redis and the
 * server under test otherwise share every core and the scheduler moves them about: a fast server
 * then waits on a load generator that was put aside, so the fastest scenarios are capped by the
 * machine rather than by their own cost, and the ratios near the bare route are compressed. With
 * `taskset` (util-linux), each server gets the last core to itself while the harness (autocannon)
 * and Redis share the others, as if the load came from another machine. Only one server is loaded
 * at a time, so they can all share that core. Other processes on the machine are left alone.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuPlan {
  /** CPU list (taskset syntax) for the servers under test. */
  readonly server: string;
  /** CPU list for the harness that generates the load, and for Redis. */
  readonly load: string;
}

function tasksetWorks(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The split of this machine's cores, or `undefined` when there is one core or no working taskset. */
export function planCpus(): CpuPlan | undefined {
  const cores = availableParallelism();
  if (cores < 2 || !tasksetWorks()) return undefined;
  const last = cores - 1;
  return { server: String(last), load: last === 1 ? '0' : `0-${last - 1}` };
}

/** Pins every thread of a running process (`taskset -a`); threads it starts later inherit it. */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** The command line that starts `command` already pinned (taskset execs it: the pid is the command's). */
export function pinnedCommand(
  cpus: string | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]];
}
