import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
};

/*
 * The CLI as the package ships it: compiled by tsconfig.build.json (as `npm run build` does) into a
 * directory laid out like the package (package.json beside dist/), inside node_modules/.cache so its
 * dependencies resolve from the project's node_modules, and run as a program through its shebang.
 * Only main.ts and what it imports are compiled (not the whole of src/), and not into the project's
 * own dist/, which test/package builds at the same time.
 */
let packageDir: string;
let bin: string;
let redis: RedisServer;

beforeAll(async () => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  packageDir = mkdtempSync(join(cache, 'authjwt-cli-'));
  copyFileSync(join(root, 'package.json'), join(packageDir, 'package.json'));
  const tsconfig = join(packageDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(root, 'tsconfig.build.json'),
      compilerOptions: {
        outDir: join(packageDir, 'dist'),
        rootDir: join(root, 'src'),
        declaration: false,
        declarationMap: false,
      },
      include: [join(root, 'src/cli/main.ts')],
    }),
  );
  await run(join(root, 'node_modules/.bin/tsc'), ['-p', tsconfig], { cwd: root });
  bin = join(packageDir, manifest.bin.authjwt as string);
  // npm makes a bin executable when it installs the package.
  chmodSync(bin, 0o755);
  redis = await startRedisServer();
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  if (packageDir !== undefined) rmSync(packageDir, { recursive: true, force: true });
});

describe('the published CLI (`npx authjwt`)', () => {
  it("is the package's bin, inside the published files, and a Node program by its shebang", () => {
    expect(manifest.bin).toEqual({ authjwt: './dist/cli/main.js' });
    expect(manifest.files).toContain('dist');
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('runs as a program: --version, --help, and keygen without Redis', async () => {
    expect((await run(bin, ['--version'])).stdout.trim()).toBe(manifest.version);
    expect((await run(bin, ['--help'])).stdout).toContain('Exit codes:');
    const key = JSON.parse((await run(bin, ['keygen', '--alg', 'EdDSA', '--json'])).stdout) as {
      publicJwk: { crv: string };
    };
    expect(key.publicJwk.crv).toBe('Ed25519');
  });

  it('says which Redis client to install when neither is, and still makes keys without one', async () => {
    // The package installed somewhere with its own dependencies only (commander, jose): no redis, no ioredis.
    const project = mkdtempSync(join(tmpdir(), 'authjwt-no-redis-'));
    try {
      const installed = join(project, 'node_modules', 'authjwt');
      cpSync(packageDir, installed, { recursive: true });
      for (const dependency of ['commander', 'jose']) {
        symlinkSync(join(root, 'node_modules', dependency), join(project, 'node_modules', dependency));
      }
      const isolatedBin = join(installed, manifest.bin.authjwt as string);
      const failed = await run(isolatedBin, ['sessions', 'list', 'u', '--redis', redis.url]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('no Redis client is installed');
      expect(failed.stderr).toContain('npm install redis');
      const key = await run(isolatedBin, ['keygen', '--alg', 'ES256', '--json']);
      expect(JSON.parse(key.stdout)).toMatchObject({ alg: 'ES256' });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('finds the Redis client installed beside it and talks to a real Redis', async () => {
    const { stdout } = await run(bin, [
      'sessions',
      'revoke-all',
      'package-user',
      '--redis',
      redis.url,
      '--json',
    ]);
    expect(JSON.parse(stdout)).toEqual({ userId: 'package-user', ended: 0 });
  });
});
