import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireRedisCommand, startRedisServer } from '../helpers/redis-server.js';

/*
 * Issue 13, point 7, as the README's "Run it" promises: on a machine without redis-server the Redis
 * tests fail (CI must install it, so they never skip) with one line naming the package to install,
 * not a bare spawn ENOENT. (The browser tests' rule is test/browser/chromium.test.ts.)
 */

const emptyPath = mkdtempSync(join(tmpdir(), 'authjwt-no-redis-'));
const installHint = /^redis-server is not installed \(not found on PATH\): .*apt-get install redis-server/;

describe('a machine without redis-server', () => {
  it('is told which package to install', () => {
    expect(() => requireRedisCommand('redis-server', emptyPath)).toThrow(installHint);
    expect(() => requireRedisCommand('redis-cli', emptyPath)).toThrow(/apt-get install redis-server/);
  });

  it('fails startRedisServer with that line', async () => {
    const path = process.env.PATH;
    process.env.PATH = emptyPath;
    try {
      await expect(startRedisServer()).rejects.toThrow(installHint);
    } finally {
      process.env.PATH = path;
    }
  });
});
