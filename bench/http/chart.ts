import { type Ratio, ratio, type ScenarioResult } from './report.js';
import type { ScenarioId } from './scenarios.js';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface ChartGroup {
  /** Shown above the group's bars (a framework's name); none for a single group. */
  readonly heading?: string;
  readonly results: readonly ScenarioResult[];
}

export interface ChartSpec {
  readonly title: string;
  readonly caption: string;
  readonly groups: readonly ChartGroup[];
  /** A dashed line at this multiple of the bare route. */
  readonly goal: { readonly at: number; readonly label: string };
  readonly legend: string;
}

const barColour = (id: ScenarioId) =>
  // (1b) is the bare route too (it only reads the header): grey like the ceiling, not a peer's amber.
  id === 'bare' || id === 'bare-header' ? '#6b7280' : id.startsWith('authjwt') ? '#2563eb' : '#f59e0b';

/**
 * A horizontal bar chart, hand-written SVG: each GET scenario's req/s as a multiple of its group's
 * bare route (median of per-round ratios), the whisker spanning the rounds' lowest to highest ratio,
 * and a dashed line at a goal. One group per framework, each under its heading.
 */
export function barChart(spec: ChartSpec): string {
  const headingHeight = 26;
  const rowHeight = 30;
  type Row =
    | { readonly heading: string }
    | { readonly label: string; readonly id: ScenarioId; readonly value: Ratio | undefined };
  const rows: Row[] = spec.groups.flatMap((group) => [
    ...(group.heading === undefined ? [] : [{ heading: group.heading }]),
    ...group.results
      .filter((result) => result.scenario.load === 'get')
      .map((result) => ({
        label: `(${result.scenario.number}) ${result.scenario.label}`,
        id: result.scenario.id,
        value: ratio(group.results, result.scenario.id, 'bare'),
      })),
  ]);
  const labelWidth = 260;
  const plotWidth = 420;
  const top = 76;
  const plotHeight = rows.reduce((sum, row) => sum + ('heading' in row ? headingHeight : rowHeight), 0);
  const width = labelWidth + plotWidth + 70;
  const height = top + plotHeight + 44;
  const maxRatio = Math.max(1, ...rows.map((row) => ('value' in row ? (row.value?.high ?? 0) : 0)));
  const scaleMax = Math.ceil(maxRatio * 5) / 5;
  const x = (value: number) => labelWidth + (value / scaleMax) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600" fill="#111">${escapeXml(spec.title)}</text>`,
    `<text x="16" y="42" font-size="11" fill="#555">${escapeXml(spec.caption)}</text>`,
  ];
  for (let tick = 0; tick <= scaleMax + 1e-9; tick += 0.2) {
    const tx = x(tick).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${top + plotHeight}" stroke="#e5e5e5"/>`,
      `<text x="${tx}" y="${top + plotHeight + 16}" text-anchor="middle" font-size="11" fill="#666">${tick.toFixed(1)}x</text>`,
    );
  }
  let y = top;
  for (const row of rows) {
    if ('heading' in row) {
      out.push(`<text x="16" y="${y + 18}" font-weight="600" fill="#111">${escapeXml(row.heading)}</text>`);
      y += headingHeight;
      continue;
    }
    out.push(
      `<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end" fill="#111">${escapeXml(row.label)}</text>`,
    );
    const value = row.value;
    if (value !== undefined) {
      const w = Math.max(1, x(value.median) - labelWidth);
      out.push(
        `<rect x="${labelWidth}" y="${y + 6}" width="${w.toFixed(1)}" height="${rowHeight - 12}" rx="2" fill="${barColour(row.id)}"/>`,
      );
      if (value.high - value.low > 0.005) {
        const cy = y + rowHeight / 2;
        out.push(
          `<line x1="${x(value.low).toFixed(1)}" y1="${cy}" x2="${x(value.high).toFixed(1)}" y2="${cy}" stroke="#111" stroke-width="1"/>`,
        );
      }
      out.push(
        `<text x="${(x(Math.max(value.median, value.high)) + 6).toFixed(1)}" y="${y + 19}" fill="#111">${value.median.toFixed(2)}x</text>`,
      );
    }
    y += rowHeight;
  }
  const goalX = x(spec.goal.at).toFixed(1);
  out.push(
    `<line x1="${goalX}" y1="${top - 8}" x2="${goalX}" y2="${top + plotHeight}" stroke="#dc2626" stroke-dasharray="4 3"/>`,
    `<text x="${goalX}" y="${top - 12}" text-anchor="middle" font-size="11" fill="#dc2626">${escapeXml(spec.goal.label)}</text>`,
    `<text x="16" y="${height - 8}" font-size="11" fill="#555">${escapeXml(spec.legend)}</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

/** bench/http.ts's chart: every Fastify scenario against the bare route, with the 0.6x goal of (5). */
export function throughputChart(results: readonly ScenarioResult[], caption: string): string {
  return barChart({
    title: 'Requests per second relative to a bare Fastify route (higher is better)',
    caption,
    groups: [{ results }],
    goal: { at: 0.6, label: 'goal of (5): 0.6x' },
    legend:
      'grey: bare routes (the ceiling); amber: @fastify/jwt (peers); blue: authjwt. Whiskers: lowest to highest round.',
  });
}
