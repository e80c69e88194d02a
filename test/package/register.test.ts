import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/*
 * Issue 13, point 2: the user typed once, through a `Register` augmentation, on every adapter. The
 * fixture is its own program (an augmentation types everything it is compiled with); its
 * `@ts-expect-error` lines fail the compilation if the registered type stopped reaching the context.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('Register: the application user typed by one module augmentation', () => {
  it('types request.auth.user on Express, Hono and Fastify, and what users.load must return', async () => {
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const run = promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', 'test/fixtures/register'], {
      cwd: root,
    });
    await expect(run).resolves.toMatchObject({ stdout: '' });
  }, 60_000);
});
