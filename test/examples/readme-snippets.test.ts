import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * Issue 13, point 7: the README's code comes from the examples, so it cannot drift. A snippet marked
 * `<!-- example: examples/express/app.ts#quick-start -->` must equal the lines between
 * `// #region quick-start` and `// #endregion` in that file (dedented); without `#region`, the whole
 * file. To update the README after changing an example, paste the region in again.
 */

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');

/** The region's lines, less the indentation they share; the whole file without a region. */
function excerpt(path: string, region: string | undefined): string {
  const lines = read(path).split('\n');
  if (region === undefined) return lines.join('\n').trimEnd();
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  if (start < 0) throw new Error(`${path} has no "// #region ${region}"`);
  const end = lines.findIndex((line, at) => at > start && line.trim() === '// #endregion');
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => line.search(/\S/)));
  return body.map((line) => line.slice(indent)).join('\n');
}

const markers = [...readme.matchAll(/<!-- example: ([^\s#]+)(?:#([\w-]+))? -->\n```ts\n([\s\S]*?)\n```/g)];

describe('the README', () => {
  it('marks the quick starts and the cookie routes as excerpts of the examples', () => {
    // Every marker is followed at once by its code block (a marker that is not would be unchecked).
    expect(markers.length).toBe(readme.split('<!-- example: ').length - 1);
    expect(markers.map(([, path, region]) => `${path}#${region}`)).toEqual(
      expect.arrayContaining([
        'examples/fastify/app.ts#quick-start',
        'examples/fastify/app.ts#cookies',
        'examples/express/app.ts#quick-start',
        'examples/hono/app.ts#quick-start',
        'examples/nestjs/app.ts#quick-start',
      ]),
    );
  });

  it.each(
    markers.map(([, path, region, code]) => [`${path}${region ? `#${region}` : ''}`, path, region, code]),
  )('shows %s as it is in the example', (_name, path, region, code) => {
    expect(code).toBe(excerpt(path as string, region));
  });

  it('links only to files that exist', () => {
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target as string);
    const local = targets.filter((target) => !/^(https?:|mailto:|#)/.test(target));
    expect(local.length).toBeGreaterThan(0);
    expect(local.filter((target) => !existsSync(new URL(target.split('#')[0] as string, root)))).toEqual([]);
  });

  it('links only to files the package ships, so the links work on the npm page and in node_modules', () => {
    const { files } = JSON.parse(read('package.json')) as { files: string[] };
    const shipped = (target: string) =>
      files.some((entry) =>
        entry.includes('*')
          ? new RegExp(`^${entry.replace('.', '\\.').replace('*', '[^/]*')}$`).test(target)
          : target === entry || target.startsWith(`${entry}/`),
      );
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target as string);
    const local = targets
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((t) => t.split('#')[0]);
    expect(local.filter((target) => !shipped(target as string))).toEqual([]);
  });
});
