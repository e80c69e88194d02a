import { type Algorithm, algorithms } from 'authjwt';
import type { Clock } from './measure.js';

export interface BenchArgs {
  readonly algorithms: readonly Algorithm[];
  /** Library ids to run (empty: all). `raw` and `authjwt` are always kept, the ratios need them. */
  readonly libraries: readonly string[];
  readonly rounds: number;
  readonly roundMs: number;
  readonly warmupMs: number;
  readonly quick: boolean;
  /** `--clock=wall|cpu`: what rates are per (measure.ts); each script has its default. */
  readonly clock: Clock | undefined;
  /** Whether to rewrite the section in bench/RESULTS.md. */
  readonly write: boolean;
}

export const usage = `usage: npm run bench:tokens -- [ALG ...] [--quick] [--libs=a,b] [--rounds=N] [--round-ms=N] [--clock=C] [--write|--no-write]

  ALG            algorithm names or prefixes, case-insensitive: HS256, ES, PS512, EdDSA (default: all)
  --quick        12 rounds of 20 ms per case instead of 35 rounds of 25 ms
  --libs=a,b     only these peers (jose, fast-jwt, jsonwebtoken, jsonwebtoken-string); raw and authjwt always run
  --rounds=N     rounds per operation; each runs every library once (medians over rounds are reported)
  --round-ms=N   how long each library runs in one round, in milliseconds
  --clock=C      wall (default) or cpu: rates per second of the process's CPU time, not of wall time
  --write        rewrite the tokens section of bench/RESULTS.md even for a partial run
  --no-write     never touch bench/RESULTS.md

bench/RESULTS.md is rewritten by default only for a full run (every algorithm and library, not --quick).`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  const filters: string[] = [];
  let quick = false;
  let libraries: string[] = [];
  let rounds: number | undefined;
  let roundMs: number | undefined;
  let write: boolean | undefined;
  let clock: Clock | undefined;
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (arg === '--quick') quick = true;
    else if (arg === '--write') write = true;
    else if (arg === '--no-write') write = false;
    else if (arg.startsWith('--libs=')) libraries = arg.slice('--libs='.length).split(',').filter(Boolean);
    else if (arg.startsWith('--rounds=')) rounds = positiveInteger(arg, arg.slice('--rounds='.length));
    else if (arg.startsWith('--round-ms=')) roundMs = positiveInteger(arg, arg.slice('--round-ms='.length));
    else if (arg === '--clock=wall' || arg === '--clock=cpu') clock = arg === '--clock=cpu' ? 'cpu' : 'wall';
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else filters.push(arg);
  }
  const selected =
    filters.length === 0 ? [...algorithms] : algorithms.filter((alg) => matchesAny(alg, filters));
  for (const filter of filters) {
    if (!algorithms.some((alg) => matchesAny(alg, [filter]))) fail(`no algorithm matches "${filter}"`);
  }
  const full = filters.length === 0 && libraries.length === 0 && !quick;
  return {
    algorithms: selected,
    libraries,
    rounds: rounds ?? (quick ? 12 : 35),
    roundMs: roundMs ?? (quick ? 20 : 25),
    warmupMs: quick ? 50 : 100,
    quick,
    clock,
    write: write ?? full,
  };
}

function matchesAny(alg: string, filters: readonly string[]): boolean {
  return filters.some((filter) => alg.toLowerCase().startsWith(filter.toLowerCase()));
}

function positiveInteger(arg: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) fail(`${arg}: expected a positive whole number`);
  return value;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n\n${usage}`);
  process.exit(2);
}
