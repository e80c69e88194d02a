import type { Algorithm } from 'authjwt';
import { median, pairedRatios, quantile } from './measure.js';
import { writeMarkedSection } from './sections.js';

export interface Measured {
  readonly median: number;
  /** Ops/s per round; index i of every case of one operation comes from the same round. */
  readonly samples: readonly number[];
}

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly peer: boolean;
  readonly sign: Measured | undefined;
  readonly verify: Measured | undefined;
}

export interface AlgorithmResult {
  readonly alg: Algorithm;
  readonly rows: readonly Row[];
}

export interface RunInfo {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly platform: string;
  readonly method: string;
  readonly seconds: number;
}

export const goalRatio = 0.9;

type Op = 'sign' | 'verify';

export interface Ratio {
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

const rowOf = (result: AlgorithmResult, id: string) => result.rows.find((row) => row.id === id);

/** The peer with the highest median ops/s for `op`. */
export function bestPeer(result: AlgorithmResult, op: Op): Row | undefined {
  let best: Row | undefined;
  for (const row of result.rows) {
    if (!row.peer || row[op] === undefined) continue;
    if (best === undefined || (row[op]?.median ?? 0) > (best[op]?.median ?? 0)) best = row;
  }
  return best;
}

/** Median and interquartile range of the per-round ratios of `a` to `b`. */
export function ratio(a: Measured | undefined, b: Measured | undefined): Ratio | undefined {
  if (a === undefined || b === undefined) return undefined;
  const ratios = pairedRatios(a.samples, b.samples);
  return { median: median(ratios), low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) };
}

export const opsText = (value: number | undefined) =>
  value === undefined ? 'n/a' : Math.round(value).toLocaleString('en-US');
export const ratioText = (value: Ratio | undefined) =>
  value === undefined ? '' : `${value.median.toFixed(2)}x`;
export const rangeText = (value: Ratio | undefined) =>
  value === undefined ? '' : `${value.low.toFixed(2)}-${value.high.toFixed(2)}`;

interface Cells {
  readonly row: Row;
  readonly cells: readonly string[];
  /** Interquartile range of the verify ratio to raw. */
  readonly verifyRange: string;
}

function cellsOf(result: AlgorithmResult): Cells[] {
  const raw = rowOf(result, 'raw');
  const best = { sign: bestPeer(result, 'sign'), verify: bestPeer(result, 'verify') };
  return result.rows.map((row) => ({
    row,
    cells: (['sign', 'verify'] as const).flatMap((op) => [
      opsText(row[op]?.median),
      ratioText(ratio(row[op], raw?.[op])),
      ratioText(ratio(row[op], best[op]?.[op])),
    ]),
    verifyRange: rangeText(ratio(row.verify, raw?.verify)),
  }));
}

const headings = ['sign ops/s', 'vs raw', 'vs best peer', 'verify ops/s', 'vs raw', 'vs best peer'];

/** The console table of one algorithm, with the interquartile range of the verify ratio to raw. */
export function consoleTable(result: AlgorithmResult): string {
  const rows = cellsOf(result).map((entry) => [entry.row.label, ...entry.cells, entry.verifyRange]);
  const header = [result.alg, ...headings, 'verify/raw IQR'];
  const widths = header.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export interface GoalLine {
  readonly alg: Algorithm;
  readonly authjwt: number | undefined;
  readonly raw: number | undefined;
  readonly ratio: Ratio | undefined;
  readonly pass: boolean;
}

export function goalLines(results: readonly AlgorithmResult[]): GoalLine[] {
  return results.map((result) => {
    const authjwt = rowOf(result, 'authjwt')?.verify;
    const raw = rowOf(result, 'raw')?.verify;
    const paired = ratio(authjwt, raw);
    return {
      alg: result.alg,
      authjwt: authjwt?.median,
      raw: raw?.median,
      ratio: paired,
      pass: paired !== undefined && paired.median >= goalRatio,
    };
  });
}

export function consoleGoal(results: readonly AlgorithmResult[]): string {
  const lines = goalLines(results).map(
    (goal) =>
      `  ${goal.alg.padEnd(6)} ${opsText(goal.authjwt).padStart(9)} vs ${opsText(goal.raw).padStart(9)}: ` +
      `${ratioText(goal.ratio).padStart(5)} (IQR ${rangeText(goal.ratio)})  ${goal.pass ? 'PASS' : 'FAIL'}`,
  );
  return [`Goal: authjwt verify >= ${goalRatio}x raw (median per-round ratio)`, ...lines].join('\n');
}

export const sectionStart = '<!-- tokens:start -->';
export const sectionEnd = '<!-- tokens:end -->';

export function markdownSection(results: readonly AlgorithmResult[], info: RunInfo): string {
  const lines = [
    sectionStart,
    '## Token sign/verify',
    '',
    `Written by \`npm run bench:tokens\` (bench/tokens.ts, also run by \`npm run bench\`) on ${info.date}: Node ${info.node}, ${info.cpu}, ${info.platform}.`,
    `${info.method} Whole run: ${Math.round(info.seconds)} s.`,
    '',
    'Ops/s of one thread. "vs raw" compares with the raw node:crypto floor (split, check the signature',
    'with a ready KeyObject, JSON.parse the payload, check exp; sign: JSON.stringify, base64url, sign);',
    '"vs best peer" with the fastest of fast-jwt, jose and jsonwebtoken in that column. Every verifier has',
    'its algorithm pinned and checks the same authjwt access tokens (header alg, typ `at+jwt`, kid; claims',
    'sub, iat, exp, jti, type, sid; 64 users in turn); every signer writes that header and those claims',
    'and its tokens verify with authjwt. jose gets CryptoKeys imported once and is awaited call by call;',
    'fast-jwt runs without its verify cache; jsonwebtoken v9 has no EdDSA. A ratio is the median of the',
    'ratios within each round, so it can differ from the quotient of the two medians: this machine speeds',
    'up and slows down by as much as 1.6x in phases of a few hundred ms, and pairing cancels that.',
    '',
    `| Alg | Library | ${headings.join(' | ')} |`,
    `|---|---|${headings.map(() => '---:').join('|')}|`,
  ];
  for (const result of results) {
    for (const entry of cellsOf(result)) {
      const label = entry.row.id === 'authjwt' ? `**${entry.row.label}**` : entry.row.label;
      lines.push(`| ${result.alg} | ${label} | ${entry.cells.join(' | ')} |`);
    }
  }
  lines.push('', `### Goal: authjwt verify >= ${goalRatio}x raw`, '');
  lines.push('| Alg | authjwt verify ops/s | raw verify ops/s | ratio | IQR of the ratio | |');
  lines.push('|---|---:|---:|---:|---:|---|');
  for (const goal of goalLines(results)) {
    lines.push(
      `| ${goal.alg} | ${opsText(goal.authjwt)} | ${opsText(goal.raw)} | ${ratioText(goal.ratio)} | ` +
        `${rangeText(goal.ratio)} | ${goal.pass ? 'pass' : '**FAIL**'} |`,
    );
  }
  lines.push(sectionEnd);
  return lines.join('\n');
}

/** Replaces the tokens section of the results file, keeping every other section as it is. */
export function writeSection(path: string, section: string): void {
  writeMarkedSection(path, 'tokens', section);
}
