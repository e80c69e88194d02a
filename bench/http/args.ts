import { type Scenario, scenarios } from './scenarios.js';

export interface HttpBenchArgs {
  readonly scenarios: readonly Scenario[];
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly quick: boolean;
  /** Run the selected servers under `--cpu-prof` and print where their time went. */
  readonly profile: boolean;
  /** Wait until other processes leave the machine quiet before starting. */
  readonly waitIdle: boolean;
  /** Give the servers a core of their own, the load generator and Redis the others (taskset). */
  readonly pin: boolean;
  /** Whether to rewrite the http section of bench/RESULTS.md and bench/http-throughput.svg. */
  readonly write: boolean;
}

export const usage = `usage: npm run bench:http -- [SCENARIO ...] [--quick] [--rounds=N] [--seconds=N] [--warmup=N]
                          [--connections=N] [--profile] [--wait-idle] [--pin]
                          [--write|--no-write]

  SCENARIO        ids, id prefixes or issue numbers: ${scenarios.map((s) => `${s.number === s.id ? '' : `${s.number}=`}${s.id}`).join(', ')}
                  (default: all; "authjwt" selects 4, 4b, 4c, 5 and 6; bare always runs, the ratios need it)
  --quick         1 round of 2 s per scenario after a 1 s warm-up, instead of 20 rounds of 1.5 s after 3 s
                  (many short rounds: this machine's speed drifts by a third within a minute, and a ratio
                  of two scenarios measured close together is steadier than one of long runs far apart)
  --rounds=N      rounds; each round loads every scenario once, in a rotating order
  --seconds=N     seconds of load per scenario per round
  --warmup=N      seconds of load per scenario before the first round (not measured)
  --connections=N concurrent connections (default 50; pipelining is always 1)
  --profile       start the selected scenarios' servers with --cpu-prof (in .bench-tmp/profiles) and print
                  their top self-time functions; profiling slows them, so nothing is written
  --wait-idle     wait for other processes to leave the machine quiet: up to 15 min before starting, up to
                  2 min before measuring again a round they disturbed (5 s without this flag)
  --pin           with taskset and 2+ cores, give the servers the last core to themselves and this harness
                  (the load generator) and Redis the others, as if the load came from another machine
                  (default: the scheduler places every process, the method of the recorded runs)
  --write         rewrite the http section of bench/RESULTS.md and bench/http-throughput.svg even for a partial run
  --no-write      never touch them

They are rewritten by default only for a full run (every scenario, not --quick, not --profile).`;

export function parseHttpArgs(argv: readonly string[]): HttpBenchArgs {
  const filters: string[] = [];
  let quick = false;
  let profile = false;
  let waitIdle = false;
  let pin = false;
  let write: boolean | undefined;
  let rounds: number | undefined;
  let seconds: number | undefined;
  let warmup: number | undefined;
  let connections = 50;
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2) as [string, string?];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (arg === '--quick') quick = true;
    else if (arg === '--profile') profile = true;
    else if (arg === '--wait-idle') waitIdle = true;
    else if (arg === '--pin') pin = true;
    else if (arg === '--write') write = true;
    else if (arg === '--no-write') write = false;
    else if (name === '--rounds') rounds = positive(arg, value);
    else if (name === '--seconds') seconds = positive(arg, value);
    else if (name === '--warmup') warmup = positive(arg, value, true);
    else if (name === '--connections') connections = positive(arg, value);
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else filters.push(arg.toLowerCase());
  }
  // An exact id or number selects that scenario; anything else selects the ids it begins.
  const matches = (scenario: Scenario, filter: string) =>
    scenarios.some((candidate) => candidate.id === filter || candidate.number === filter)
      ? scenario.id === filter || scenario.number === filter
      : scenario.id.startsWith(filter);
  for (const filter of filters) {
    if (!scenarios.some((scenario) => matches(scenario, filter))) fail(`no scenario matches "${filter}"`);
  }
  const selected =
    filters.length === 0
      ? scenarios
      : scenarios.filter(
          (scenario) => scenario.id === 'bare' || filters.some((filter) => matches(scenario, filter)),
        );
  const full = filters.length === 0 && !quick && !profile;
  return {
    scenarios: selected,
    rounds: rounds ?? (quick ? 1 : 20),
    seconds: seconds ?? (quick ? 2 : 1.5),
    warmupSeconds: warmup ?? (quick ? 1 : 3),
    connections,
    quick,
    profile,
    waitIdle,
    pin,
    write: write ?? full,
  };
}

function positive(arg: string, text: string, zeroAllowed = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    fail(`${arg}: expected a positive number`);
  }
  return value;
}

function fail(message: string): never {
  console.error(`bench:http: ${message}\n\n${usage}`);
  process.exit(2);
}
