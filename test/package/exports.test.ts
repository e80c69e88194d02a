import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};
const subpaths = Object.keys(manifest.exports).filter((subpath) => subpath !== './package.json');

// What users get: the compiled package, resolved through its exports map without the source condition.
describe('the built package', () => {
  beforeAll(async () => {
    await run(`${root}node_modules/.bin/tsc`, ['-p', 'tsconfig.build.json'], { cwd: root });
  }, 120_000);

  it('ships JavaScript and type declarations for every subpath export', () => {
    for (const subpath of subpaths) {
      const target = manifest.exports[subpath] as { types: string; default: string };
      expect(existsSync(`${root}${target.default}`), target.default).toBe(true);
      expect(existsSync(`${root}${target.types}`), target.types).toBe(true);
    }
  });

  it('loads with import, and with require() from CommonJS (Node >= 20.19)', async () => {
    const names = subpaths.map((subpath) => `authjwt${subpath.slice(1)}`);
    const esm = `for (const name of ${JSON.stringify(names)}) await import(name); const { createAuth } = await import('authjwt');
      const auth = createAuth({ signingKey: { alg: 'HS256', key: 'exports-test-secret-0123456789abcdef' } });
      const pair = await auth.login({ subject: 'a' });
      console.log((await auth.authenticate(pair.accessToken)).subject);`;
    const imported = await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: root });
    expect(imported.stdout.trim()).toBe('a');
    const cjs = `for (const name of ${JSON.stringify(names)}) require(name); console.log(typeof require('authjwt').createAuth);`;
    const required = await run(process.execPath, ['--no-warnings', '-e', cjs], { cwd: root });
    expect(required.stdout.trim()).toBe('function');
  });
});
