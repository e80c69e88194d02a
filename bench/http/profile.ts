/**
 * Where a server's time went, from a V8 `.cpuprofile` (node --cpu-prof): self time per function and
 * per area (authjwt, fastify, node internals, Redis client, GC, idle), plus the inclusive time of the
 * busiest authjwt functions. No dependency; run alone as
 *
 *   npx tsx bench/http/profile.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A short, stable name for a function: name, then file (from the repo or package) and line. */
function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  // Modules compiled by tsx report line 0 for every function; a name and file are what is left.
  return lineNumber > 0 ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : `${name}  ${shortUrl(url)}`;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const repo = url.indexOf('/main/');
  if (repo !== -1) return url.slice(repo + '/main/'.length);
  return url.replace(/^file:\/\//, '');
}

/** Which part of the stack a function belongs to. */
export function areaOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (url === '') {
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return 'node internals (http, net, streams, crypto glue)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? '?');
    return `package ${name}`;
  }
  if (url.includes('/src/tokens/')) return 'authjwt src/tokens';
  if (url.includes('/src/sessions/')) return 'authjwt src/sessions';
  if (url.includes('/src/stores/')) return 'authjwt src/stores';
  if (url.includes('/src/')) return 'authjwt src (adapters, http, auth)';
  if (url.includes('/bench/')) return 'bench app';
  return 'other';
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly busyMs: number;
  readonly text: string;
}

/**
 * `fromUs`: only samples taken from then on (process.hrtime in microseconds, the clock V8's profiler
 * uses), to leave out start-up and warm-up.
 */
export function summarizeProfile(path: string, top = 25, fromUs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    at += profile.timeDeltas[index] ?? 0;
    const us = profile.timeDeltas[index + 1] ?? 0;
    const node = byId.get(id);
    if (node === undefined || at < fromUs) return;
    totalUs += us;
    const area = areaOf(node);
    if (area.startsWith('idle')) idleUs += us;
    self.set(functionKey(node), (self.get(functionKey(node)) ?? 0) + us);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let frameId: number | undefined = id; frameId !== undefined; frameId = parent.get(frameId)) {
      const frame = byId.get(frameId) as ProfileNode;
      const key = functionKey(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      if (areaOf(frame).startsWith('authjwt')) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  });
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1).padStart(5)}%`;
  const msText = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  const lines = [
    `${path}`,
    `  sampled ${(totalUs / 1e6).toFixed(1)} s, of which busy (not idle) ${(busyUs / 1e6).toFixed(1)} s; percentages are of busy time`,
    '',
    '  By area (self time):',
    ...sorted(areas)
      .filter(([area]) => !area.startsWith('idle'))
      .slice(0, 14)
      .map(([area, us]) => `    ${msText(us)} ${pct(us)}  ${area}`),
    '',
    `  Top ${top} functions by self time:`,
    ...sorted(self)
      .filter(([key]) => key !== '(idle)')
      .slice(0, top)
      .map(([key, us]) => `    ${msText(us)} ${pct(us)}  ${key}`),
    '',
    '  authjwt functions by inclusive time (self + callees):',
    ...sorted(inclusive)
      .slice(0, 15)
      .map(([key, us]) => `    ${msText(us)} ${pct(us)}  ${key}`),
  ];
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, text: lines.join('\n') };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: npx tsx bench/http/profile.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, Number(top) || 25).text);
}
