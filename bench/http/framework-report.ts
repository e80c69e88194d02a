/**
 * The tables of bench/frameworks.ts: one per framework (its five variants, and the goals of issue 13
 * met or not), and a headline table of the goal ratios across frameworks for the README.
 */
import {
  checkGoals,
  type Goal,
  type GoalCheck,
  markdownTable,
  measuredCells,
  percent,
  perRequest,
  provenance,
  type RunInfo,
  range,
  ratio,
  type ScenarioResult,
  summarize,
  times,
} from './report.js';

/** One framework's run: its variants, measured in the same rounds. */
export interface FrameworkRun {
  /** As shown: "Fastify 5", "Express 5", "Hono 4". */
  readonly name: string;
  readonly results: readonly ScenarioResult[];
}

/** The goals of issue 13, on every framework. */
export const frameworkGoals: readonly Goal[] = [
  { a: 'authjwt-cached', b: 'bare', min: 0.9 },
  { a: 'authjwt-cached', b: 'middleware-exists', min: 2 },
  { a: 'authjwt-strict', b: 'middleware-exists', min: 1.2 },
];

export const sectionName = 'frameworks';

function variantTable(run: FrameworkRun): string[] {
  const headings = [
    '#',
    'Variant',
    'req/s (median)',
    'min-max',
    'p50 ms',
    'p99 ms',
    'vs bare',
    'vs middleware + EXISTS',
    'server CPU',
    'Redis round trips/req',
  ];
  const rows = run.results.map((result) => {
    const s = summarize(result);
    const id = result.scenario.id;
    return [
      ...measuredCells(result),
      times(ratio(run.results, id, 'bare')),
      times(ratio(run.results, id, 'middleware-exists')),
      percent(s.serverCpu),
      perRequest(s.roundTripsPerRequest),
    ];
  });
  return markdownTable(headings, rows, 2);
}

/** A goal's ratio; a miss that two decimals would round up to the goal is shown with three (0.895x, not 0.90x). */
function goalRatio(check: GoalCheck): string {
  const median = check.ratio?.median;
  if (check.pass !== false || median === undefined || Number(median.toFixed(2)) < check.goal.min) {
    return times(check.ratio);
  }
  return `${median.toFixed(3)}x`;
}

function goalTable(run: FrameworkRun): string[] {
  const rows = checkGoals(run.results, frameworkGoals).map((check) => [
    check.text,
    goalRatio(check) || '-',
    range(check.ratio) || '-',
    check.pass === undefined ? 'not run' : check.pass ? 'yes' : '**no**',
  ]);
  return markdownTable(['Goal (issue 13)', 'ratio (median of rounds)', 'per-round range', 'met'], rows, 1);
}

/** The goal ratios of every framework, one row each: the README's table. */
export function headlineTable(runs: readonly FrameworkRun[]): string[] {
  const rows = runs.map((run) => [
    run.name,
    ...checkGoals(run.results, frameworkGoals).map((check) =>
      check.ratio === undefined ? '-' : `${goalRatio(check)} ${check.pass ? 'yes' : '**no**'}`,
    ),
  ]);
  return markdownTable(
    [
      'Framework',
      'cached / bare (goal 0.9x)',
      'cached / middleware + EXISTS (goal 2x)',
      'strict / middleware + EXISTS (goal 1.2x)',
    ],
    rows,
    1,
  );
}

/** What this harness prints: each framework's tables, then the headline table. */
export function consoleFrameworkReport(runs: readonly FrameworkRun[]): string {
  const lines: string[] = [];
  for (const run of runs) lines.push(`## ${run.name}`, '', ...variantTable(run), '', ...goalTable(run), '');
  lines.push('## Goal ratios by framework', '', ...headlineTable(runs));
  return lines.join('\n');
}

export function frameworksSection(
  runs: readonly FrameworkRun[],
  info: RunInfo,
  chartFile: string,
  variants: readonly string[],
  notes: readonly string[],
): string {
  const lines = [
    `<!-- ${sectionName}:start -->`,
    '## HTTP: the same guarded route on Fastify, Express and Hono',
    '',
    provenance(info, 'bench:frameworks', 'bench/frameworks.ts'),
    '',
    info.method,
    '',
    ...headlineTable(runs),
    '',
    `![Throughput relative to each framework's bare route](${chartFile})`,
    '',
    'Variants, on every framework:',
    '',
    ...variants.map((variant) => `- ${variant}`),
    '',
  ];
  for (const run of runs) {
    lines.push(`### ${run.name}`, '', ...variantTable(run), '', ...goalTable(run), '');
  }
  if (notes.length > 0) lines.push('### Notes', '', ...notes.map((note) => `- ${note}`), '');
  lines.push(`<!-- ${sectionName}:end -->`);
  return lines.join('\n');
}
