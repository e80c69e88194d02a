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
                  (default: all; "authjwt" selects 4b, 4c, 5 and 6; bare always runs, the ratios need it)
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

/** The options every load harness takes; positional arguments are left to the caller. */
export interface LoadOptions {
  readonly filters: readonly string[];
  readonly rounds: number | undefined;
  readonly seconds: number | undefined;
  readonly warmup: number | undefined;
  readonly connections: number;
  readonly quick: boolean;
  readonly profile: boolean;
  readonly waitIdle: boolean;
  readonly pin: boolean;
  readonly write: boolean | undefined;
}

/** Parses the options; prints `usage` and exits on --help or a mistake (`fail`). */
export function parseLoadOptions(argv: readonly string[], usage: string, command: string): LoadOptions {
  const fail = (message: string): never => {
    console.error(`${command}: ${message}\n\n${usage}`);
    process.exit(2);
  };
  const positive = (arg: string, text: string, zeroAllowed = false): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
      fail(`${arg}: expected a positive number`);
    }
    return value;
  };
  const options = {
    filters: [] as string[],
    rounds: undefined as number | undefined,
    seconds: undefined as number | undefined,
    warmup: undefined as number | undefined,
    connections: 50,
    quick: false,
    profile: false,
    waitIdle: false,
    pin: false,
    write: undefined as boolean | undefined,
  };
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2) as [string, string?];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (arg === '--quick') options.quick = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--wait-idle') options.waitIdle = true;
    else if (arg === '--pin') options.pin = true;
    else if (arg === '--write') options.write = true;
    else if (arg === '--no-write') options.write = false;
    else if (name === '--rounds') options.rounds = positive(arg, value);
    else if (name === '--seconds') options.seconds = positive(arg, value);
    else if (name === '--warmup') options.warmup = positive(arg, value, true);
    else if (name === '--connections') options.connections = positive(arg, value);
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else options.filters.push(arg.toLowerCase());
  }
  return options;
}

export function parseHttpArgs(argv: readonly string[]): HttpBenchArgs {
  const options = parseLoadOptions(argv, usage, 'bench:http');
  const { filters, quick, profile } = options;
  // An exact id or number selects that scenario; anything else selects the ids it begins.
  const matches = (scenario: Scenario, filter: string) =>
    scenarios.some((candidate) => candidate.id === filter || candidate.number === filter)
      ? scenario.id === filter || scenario.number === filter
      : scenario.id.startsWith(filter);
  for (const filter of filters) {
    if (!scenarios.some((scenario) => matches(scenario, filter))) {
      console.error(`bench:http: no scenario matches "${filter}"\n\n${usage}`);
      process.exit(2);
    }
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
    rounds: options.rounds ?? (quick ? 1 : 20),
    seconds: options.seconds ?? (quick ? 2 : 1.5),
    warmupSeconds: options.warmup ?? (quick ? 1 : 3),
    connections: options.connections,
    quick,
    profile,
    waitIdle: options.waitIdle,
    pin: options.pin,
    write: options.write ?? full,
  };
}
