import { median, pairedRatios, quantile } from '../lib/measure.js';
import type { Scenario, ScenarioId } from './scenarios.js';

/** One scenario's figures from one round. */
export interface RoundSample {
  /** 2xx responses per second. */
  readonly rps: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  /** CPU used during the round as a fraction of one core: the server process, this (load) process, Redis. */
  readonly serverCpu: number;
  readonly loaderCpu: number;
  readonly redisCpu: number | undefined;
  /** Everything else on the machine (other processes), in cores: a busy machine shows here. */
  readonly otherCpu: number;
  /** Commands the server sent to Redis per 2xx response (its store round trips). */
  readonly roundTripsPerRequest: number;
  /** Commands Redis processed per 2xx response, those run inside Lua scripts included; undefined without Redis. */
  readonly redisCommandsPerRequest: number | undefined;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly rounds: readonly RoundSample[];
}

export interface RunInfo {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly platform: string;
  readonly redis: string | undefined;
  readonly method: string;
  readonly seconds: number;
  /** The commit measured (and whether src/ was dirty). */
  readonly source: string;
  /** Rounds measured again because other processes disturbed them. */
  readonly repeatedRounds: number;
  /** Other processes' CPU just before the run, in cores. */
  readonly otherCpuBefore: number;
  /** Whether this source tree knows `sessions.revocation` (else (5) runs as today's strict check). */
  readonly revocationOption: boolean | undefined;
}

export interface Goal {
  readonly a: ScenarioId;
  readonly b: ScenarioId;
  readonly min: number;
}

/** The goals of issue 5 on this 2-core machine. */
export const goals: readonly Goal[] = [
  { a: 'authjwt-cached', b: 'bare', min: 0.6 },
  { a: 'authjwt-cached', b: 'middleware-exists', min: 2 },
  { a: 'authjwt-strict', b: 'middleware-exists', min: 1.2 },
];

const med = (result: ScenarioResult, pick: (round: RoundSample) => number | undefined) => {
  const values = result.rounds.map(pick).filter((value): value is number => value !== undefined);
  return values.length === 0 ? undefined : median(values);
};

export interface Summary {
  readonly result: ScenarioResult;
  readonly rps: number;
  readonly rpsLow: number;
  readonly rpsHigh: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  readonly serverCpu: number | undefined;
  /** Server CPU time per 2xx response, in microseconds (median over rounds). */
  readonly serverMicros: number | undefined;
  readonly loaderCpu: number | undefined;
  readonly redisCpu: number | undefined;
  readonly otherCpu: number | undefined;
  readonly roundTripsPerRequest: number | undefined;
  readonly redisCommandsPerRequest: number | undefined;
}

export function summarize(result: ScenarioResult): Summary {
  const rps = result.rounds.map((round) => round.rps);
  return {
    result,
    rps: median(rps),
    rpsLow: Math.min(...rps),
    rpsHigh: Math.max(...rps),
    p50: med(result, (round) => round.p50) ?? Number.NaN,
    p99: med(result, (round) => round.p99) ?? Number.NaN,
    failures: result.rounds.reduce((sum, round) => sum + round.failures, 0),
    serverCpu: med(result, (round) => round.serverCpu),
    serverMicros: med(result, (round) => (round.rps > 0 ? (round.serverCpu / round.rps) * 1e6 : undefined)),
    loaderCpu: med(result, (round) => round.loaderCpu),
    redisCpu: med(result, (round) => round.redisCpu),
    otherCpu: med(result, (round) => round.otherCpu),
    roundTripsPerRequest: med(result, (round) => round.roundTripsPerRequest),
    redisCommandsPerRequest: med(result, (round) => round.redisCommandsPerRequest),
  };
}

export interface Ratio {
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/** Median (and range) over rounds of the within-round ratio of a's req/s to b's. */
export function ratio(results: readonly ScenarioResult[], a: ScenarioId, b: ScenarioId): Ratio | undefined {
  const ra = results.find((result) => result.scenario.id === a);
  const rb = results.find((result) => result.scenario.id === b);
  if (ra === undefined || rb === undefined) return undefined;
  const ratios = pairedRatios(
    ra.rounds.map((round) => round.rps),
    rb.rounds.map((round) => round.rps),
  );
  return { median: median(ratios), low: quantile(ratios, 0), high: quantile(ratios, 1) };
}

export interface GoalCheck {
  readonly goal: Goal;
  readonly text: string;
  readonly ratio: Ratio | undefined;
  readonly pass: boolean | undefined;
}

const nameOf = (results: readonly ScenarioResult[], id: ScenarioId) => {
  const scenario = results.find((result) => result.scenario.id === id)?.scenario;
  return scenario === undefined ? id : `(${scenario.number}) ${scenario.label}`;
};

export function checkGoals(results: readonly ScenarioResult[], goalList = goals): GoalCheck[] {
  return goalList.map((goal) => {
    const paired = ratio(results, goal.a, goal.b);
    return {
      goal,
      text: `${nameOf(results, goal.a)} >= ${goal.min}x ${nameOf(results, goal.b)}`,
      ratio: paired,
      pass: paired === undefined ? undefined : paired.median >= goal.min,
    };
  });
}

export const ops = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : Math.round(value).toLocaleString('en-US');
export const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(value < 10 ? 2 : 1);
export const times = (value: Ratio | undefined) => (value === undefined ? '' : `${value.median.toFixed(2)}x`);
export const percent = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '' : `${Math.round(value * 100)}%`;
const micros = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(1);
export const perRequest = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));
export const range = (value: Ratio | undefined) =>
  value === undefined ? '' : `${value.low.toFixed(2)}-${value.high.toFixed(2)}`;

const getHeadings = [
  '#',
  'Scenario',
  'req/s (median)',
  'min-max',
  'p50 ms',
  'p99 ms',
  'vs (1)',
  'vs (2)',
  'vs (3)',
  'server CPU',
  'server µs/req',
  'load CPU',
  'Redis CPU',
  'other CPU',
  'round trips/req',
  'Redis cmds/req',
];

/** A variant's first cells in every HTTP table: number, label, req/s median and range, p50, p99. */
export function measuredCells(result: ScenarioResult): string[] {
  const s = summarize(result);
  return [
    result.scenario.number,
    result.scenario.label + (s.failures > 0 ? ` (${s.failures} failed)` : ''),
    ops(s.rps),
    `${ops(s.rpsLow)}-${ops(s.rpsHigh)}`,
    ms(s.p50),
    ms(s.p99),
  ];
}

function getRows(results: readonly ScenarioResult[]): string[][] {
  return results
    .filter((result) => result.scenario.load === 'get')
    .map((result) => {
      const s = summarize(result);
      const id = result.scenario.id;
      return [
        ...measuredCells(result),
        times(ratio(results, id, 'bare')),
        times(ratio(results, id, 'middleware')),
        times(ratio(results, id, 'middleware-exists')),
        percent(s.serverCpu),
        micros(s.serverMicros),
        percent(s.loaderCpu),
        percent(s.redisCpu),
        percent(s.otherCpu),
        perRequest(s.roundTripsPerRequest),
        perRequest(s.redisCommandsPerRequest),
      ];
    });
}

const writeHeadings = [
  'Operation',
  'ops/s (median)',
  'min-max',
  'p50 ms',
  'p99 ms',
  'server CPU',
  'server µs/op',
  'load CPU',
  'Redis CPU',
  'other CPU',
  'round trips/op',
  'Redis cmds/op',
];

function writeRows(results: readonly ScenarioResult[]): string[][] {
  return results
    .filter((result) => result.scenario.load !== 'get')
    .map((result) => {
      const s = summarize(result);
      return [
        result.scenario.label + (s.failures > 0 ? ` (${s.failures} failed)` : ''),
        ops(s.rps),
        `${ops(s.rpsLow)}-${ops(s.rpsHigh)}`,
        ms(s.p50),
        ms(s.p99),
        percent(s.serverCpu),
        micros(s.serverMicros),
        percent(s.loaderCpu),
        percent(s.redisCpu),
        percent(s.otherCpu),
        perRequest(s.roundTripsPerRequest),
        perRequest(s.redisCommandsPerRequest),
      ];
    });
}

function textTable(headings: readonly string[], rows: readonly (readonly string[])[], left: number): string {
  const widths = headings.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column < left ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(headings), ...rows.map(line)].join('\n');
}

export function markdownTable(
  headings: readonly string[],
  rows: readonly (readonly string[])[],
  left: number,
): string[] {
  return [
    `| ${headings.join(' | ')} |`,
    `|${headings.map((_, column) => (column < left ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** Every GET scenario's req/s divided by every other's (median of the per-round ratios). */
function matrix(results: readonly ScenarioResult[]): { headings: string[]; rows: string[][] } {
  const gets = results.filter((result) => result.scenario.load === 'get');
  return {
    headings: ['row / column', ...gets.map((result) => `(${result.scenario.number})`)],
    rows: gets.map((row) => [
      `(${row.scenario.number}) ${row.scenario.label}`,
      ...gets.map((column) => times(ratio(results, row.scenario.id, column.scenario.id))),
    ]),
  };
}

export function consoleReport(results: readonly ScenarioResult[]): string {
  const lines = [textTable(getHeadings, getRows(results), 2)];
  const writes = writeRows(results);
  if (writes.length > 0) lines.push('', textTable(writeHeadings, writes, 1));
  const m = matrix(results);
  lines.push(
    '',
    'Ratios of req/s, row / column (median of per-round ratios):',
    textTable(m.headings, m.rows, 1),
  );
  lines.push('', 'Goals (issue 5):');
  for (const check of checkGoals(results)) {
    const verdict = check.pass === undefined ? 'n/a (not run)' : check.pass ? 'PASS' : 'FAIL';
    lines.push(
      `  ${check.text}: ${times(check.ratio) || '-'}${check.ratio === undefined ? '' : ` (rounds ${range(check.ratio)})`}  ${verdict}`,
    );
  }
  return lines.join('\n');
}

export const sectionName = 'http';

/** Where and how a section's figures were taken: the script, the machine, how quiet it was. */
export function provenance(info: RunInfo, script: string, file: string): string {
  return (
    `Written by \`npm run ${script}\` (${file}) on ${info.date} from ${info.source}: Node ${info.node}, ${info.cpu}, ${info.platform}` +
    `${info.redis === undefined ? '' : `, Redis ${info.redis}`}. Whole run: ${Math.round(info.seconds)} s; ` +
    `other processes used ${Math.round(info.otherCpuBefore * 100)}% of a core just before it; ` +
    `${info.repeatedRounds} round(s) measured again because other processes took over a quarter of a core.`
  );
}

export function markdownSection(
  results: readonly ScenarioResult[],
  info: RunInfo,
  chartFile: string,
  notes: readonly string[],
): string {
  const lines = [
    `<!-- ${sectionName}:start -->`,
    '## HTTP: requests per second through Fastify',
    '',
    provenance(info, 'bench:http', 'bench/http.ts'),
    '',
    info.method,
    '',
    '### Token-checked GET',
    '',
    ...markdownTable(getHeadings, getRows(results), 2),
    '',
    'CPU columns are shares of one core during the round, from /proc (server process, this load generator,',
    'Redis from `INFO`, every other process on the machine); "server µs/req" is the server process\'s CPU',
    'time per answered request, which throughput follows while the server is the bottleneck (server CPU',
    'near 100%). "round trips/req" counts the commands the server sent to Redis; "Redis cmds/req" the',
    'commands Redis ran, those inside Lua scripts included.',
    '',
  ];
  const writes = writeRows(results);
  if (writes.length > 0) {
    lines.push('### Logins and refreshes (Redis)', '', ...markdownTable(writeHeadings, writes, 1), '');
  }
  lines.push(`![Throughput relative to the bare route](${chartFile})`, '');
  lines.push('### Goals (issue 5)', '');
  for (const check of checkGoals(results)) {
    const mark = check.pass === true ? '[x]' : '[ ]';
    const verdict = check.pass === undefined ? 'not run' : check.pass ? 'pass' : '**FAIL**';
    lines.push(
      `- ${mark} ${check.text}: ${times(check.ratio) || '-'}` +
        `${check.ratio === undefined ? '' : ` (per-round ${range(check.ratio)})`}: ${verdict}`,
    );
  }
  const m = matrix(results);
  lines.push(
    '',
    '### Every ratio (row req/s / column req/s)',
    '',
    ...markdownTable(m.headings, m.rows, 1),
    '',
  );
  lines.push('### Scenarios', '');
  for (const result of results)
    lines.push(`- (${result.scenario.number}) ${result.scenario.label}: ${result.scenario.what}`);
  if (notes.length > 0) lines.push('', '### Notes', '', ...notes.map((note) => `- ${note}`));
  lines.push(`<!-- ${sectionName}:end -->`);
  return lines.join('\n');
}
