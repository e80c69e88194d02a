import { ratio, type ScenarioResult } from './report.js';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A horizontal bar chart, hand-written SVG: each GET scenario's req/s as a multiple of the bare
 * route's (median of per-round ratios), with the whisker spanning the rounds' lowest to highest ratio
 * and a dashed line at the 0.6x goal of (5).
 */
export function throughputChart(results: readonly ScenarioResult[], caption: string): string {
  const gets = results.filter((result) => result.scenario.load === 'get');
  const bars = gets.map((result) => ({
    label: `(${result.scenario.number}) ${result.scenario.label}`,
    authjwt: result.scenario.id.startsWith('authjwt'),
    // (1b) is the bare route too (it only reads the header): grey like the ceiling, not a peer's amber.
    bare: result.scenario.id === 'bare' || result.scenario.id === 'bare-header',
    value: ratio(results, result.scenario.id, 'bare'),
  }));
  const labelWidth = 260;
  const plotWidth = 420;
  const rowHeight = 30;
  const top = 76;
  const width = labelWidth + plotWidth + 70;
  const height = top + bars.length * rowHeight + 44;
  const maxRatio = Math.max(1, ...bars.map((bar) => bar.value?.high ?? 0));
  const scaleMax = Math.ceil(maxRatio * 5) / 5;
  const x = (value: number) => labelWidth + (value / scaleMax) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600" fill="#111">Requests per second relative to a bare Fastify route (higher is better)</text>`,
    `<text x="16" y="42" font-size="11" fill="#555">${escapeXml(caption)}</text>`,
  ];
  for (let tick = 0; tick <= scaleMax + 1e-9; tick += 0.2) {
    const tx = x(tick).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${top + bars.length * rowHeight}" stroke="#e5e5e5"/>`,
      `<text x="${tx}" y="${top + bars.length * rowHeight + 16}" text-anchor="middle" font-size="11" fill="#666">${tick.toFixed(1)}x</text>`,
    );
  }
  bars.forEach((bar, index) => {
    const y = top + index * rowHeight;
    const fill = bar.bare ? '#6b7280' : bar.authjwt ? '#2563eb' : '#f59e0b';
    out.push(
      `<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end" fill="#111">${escapeXml(bar.label)}</text>`,
    );
    if (bar.value === undefined) return;
    const w = Math.max(1, x(bar.value.median) - labelWidth);
    out.push(
      `<rect x="${labelWidth}" y="${y + 6}" width="${w.toFixed(1)}" height="${rowHeight - 12}" rx="2" fill="${fill}"/>`,
    );
    if (bar.value.high - bar.value.low > 0.005) {
      const cy = y + rowHeight / 2;
      out.push(
        `<line x1="${x(bar.value.low).toFixed(1)}" y1="${cy}" x2="${x(bar.value.high).toFixed(1)}" y2="${cy}" stroke="#111" stroke-width="1"/>`,
      );
    }
    out.push(
      `<text x="${(x(Math.max(bar.value.median, bar.value.high)) + 6).toFixed(1)}" y="${y + 19}" fill="#111">${bar.value.median.toFixed(2)}x</text>`,
    );
  });
  const goalX = x(0.6).toFixed(1);
  out.push(
    `<line x1="${goalX}" y1="${top - 8}" x2="${goalX}" y2="${top + bars.length * rowHeight}" stroke="#dc2626" stroke-dasharray="4 3"/>`,
    `<text x="${goalX}" y="${top - 12}" text-anchor="middle" font-size="11" fill="#dc2626">goal of (5): 0.6x</text>`,
    `<text x="16" y="${height - 8}" font-size="11" fill="#555">grey: bare routes (the ceiling); amber: @fastify/jwt (peers); blue: authjwt. Whiskers: lowest to highest round.</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
