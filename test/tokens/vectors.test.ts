/**
 * Issue 11, point 9: without the public vectors a CI run fails, while a user's clone skips exactly
 * the vector suites and says why. The rule is tested as a function, then end to end: vitest itself is
 * run on the vector suites and one ordinary suite, with the vectors folder pointed at a missing path.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isCi, planVectors, vectorsDirFrom } from './vectors-plan.js';

const missing = join(mkdtempSync(join(tmpdir(), 'authjwt-vectors-')), 'not-here');

describe('the vectors plan', () => {
  it('runs the vector suites when the folder exists, in CI or not', () => {
    for (const env of [{}, { CI: 'true' }]) {
      expect(planVectors(missing, env, () => true)).toEqual({ present: true, note: '' });
    }
  });

  it.each(['true', '1', 'yes'])('fails when the folder is missing and CI=%s', (value) => {
    expect(() => planVectors(missing, { CI: value })).toThrow(
      `the public test vectors are missing at ${missing}, and CI is set`,
    );
  });

  it.each([undefined, '', 'false', '0'])('skips with a note naming the folder when CI=%s', (value) => {
    const plan = planVectors(missing, { CI: value });
    expect(plan.present).toBe(false);
    expect(plan.note).toContain(`SKIPPED: the public test vectors were not found at ${missing}`);
    expect(isCi({ CI: value })).toBe(false);
  });

  it('looks in ../shared/vectors unless AUTHJWT_VECTORS_DIR names another folder', () => {
    expect(vectorsDirFrom({})).toMatch(/[/\\]shared[/\\]vectors[/\\]$/);
    expect(vectorsDirFrom({ AUTHJWT_VECTORS_DIR: missing })).toBe(missing);
  });
});

interface SuiteResult {
  name: string;
  status: string;
  message: string;
  assertionResults: { status: string; ancestorTitles: string[] }[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const suites = ['rfc-vectors', 'wycheproof', 'verified-cache'].map((name) => `test/tokens/${name}.test.ts`);

/** Runs vitest on the suites above with the vectors folder missing; returns the exit code and results. */
function runSuitesWithoutVectors(
  ci: boolean,
): Promise<{ code: number | null; suites: Map<string, SuiteResult> }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    AUTHJWT_VECTORS_DIR: missing,
    CI: ci ? 'true' : '',
  };
  // This process's own vitest variables would make the child think it is a worker of this run.
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  const child = spawn(`${root}node_modules/.bin/vitest`, ['run', '--reporter=json', ...suites], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.resume();
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { testResults: SuiteResult[] };
      const byFile = new Map(report.testResults.map((suite) => [suite.name.slice(root.length), suite]));
      resolve({ code, suites: byFile });
    });
  });
}

const statuses = (suite: SuiteResult | undefined) =>
  new Set(suite?.assertionResults.map(({ status }) => status));

describe('vitest on the token suites, the vectors folder missing', () => {
  it('CI=true: the run fails, in the vector suites only', async () => {
    const { code, suites: results } = await runSuitesWithoutVectors(true);
    expect(code).toBe(1);
    for (const file of ['test/tokens/rfc-vectors.test.ts', 'test/tokens/wycheproof.test.ts']) {
      expect(results.get(file)?.status).toBe('failed');
      expect(results.get(file)?.message).toContain(`the public test vectors are missing at ${missing}`);
    }
    expect(results.get('test/tokens/verified-cache.test.ts')?.status).toBe('passed');
  }, 60_000);

  it('no CI: the run passes; the vector suites are skipped and the others run', async () => {
    const { code, suites: results } = await runSuitesWithoutVectors(false);
    expect(code).toBe(0);
    expect(statuses(results.get('test/tokens/rfc-vectors.test.ts'))).toEqual(new Set(['skipped']));
    expect(statuses(results.get('test/tokens/wycheproof.test.ts'))).toEqual(new Set(['skipped']));
    expect(statuses(results.get('test/tokens/verified-cache.test.ts'))).toEqual(new Set(['passed']));
    const skippedSuite = results.get('test/tokens/rfc-vectors.test.ts')?.assertionResults[0]
      ?.ancestorTitles[0];
    expect(skippedSuite).toContain(`(SKIPPED: the public test vectors were not found at ${missing}`);
  }, 60_000);
});
