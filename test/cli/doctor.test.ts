import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { json, runCli } from './run-cli.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

interface Report {
  ok: boolean;
  failures: number;
  warnings: number;
  checks: { check: string; status: string; message: string; node?: string }[];
}

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(async () => {
  // Back to the test server's settings: no persistence, no memory limit, the default buffers.
  await redis.command('CONFIG', 'SET', 'appendonly', 'no');
  await redis.command('CONFIG', 'SET', 'maxmemory', '0');
  await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  await redis.command('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60');
  await redis.command('CONFIG', 'SET', 'notify-keyspace-events', '');
});

afterAll(async () => {
  await redis?.stop();
});

async function doctor(url = redis.url, ...extra: string[]): Promise<{ code: number | null; report: Report }> {
  const run = await runCli(['doctor', '--redis', url, '--json', ...extra]);
  return { code: run.code, report: json<Report>(run) };
}

function check(report: Report, name: string) {
  return report.checks.find((entry) => entry.check === name);
}

describe('authjwt doctor on one Redis server', () => {
  it('passes (exit 0) a Redis set up as the README asks: AOF everysec, noeviction', async () => {
    await redis.command('CONFIG', 'SET', 'appendonly', 'yes');
    await redis.command('CONFIG', 'SET', 'appendfsync', 'everysec');
    const { code, report } = await doctor();
    expect(report.checks.filter((entry) => entry.status !== 'ok')).toEqual([]);
    expect(report).toMatchObject({ ok: true, failures: 0, warnings: 0 });
    expect(check(report, 'version')?.message).toMatch(/^Redis 7\./);
    expect(code).toBe(0);
  });

  it('warns (exit 3) without persistence: a restart forgets deactivations', async () => {
    const run = await runCli(['doctor', '--redis', redis.url]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/WARN {2}persistence: 127\.0\.0\.1:\d+ \(master\) no persistence/);
    expect(run.stdout).toContain('forgets every deactivation');
    expect(run.stdout).toContain('0 failures, 1 warning');
  });

  it('warns about RDB snapshots alone, pointing at sessions.notBefore for restores', async () => {
    await redis.command('CONFIG', 'SET', 'save', '3600 1');
    try {
      const { code, report } = await doctor();
      expect(check(report, 'persistence')).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('sessions.notBefore'),
      });
      expect(code).toBe(3);
    } finally {
      await redis.command('CONFIG', 'SET', 'save', '');
    }
  });

  it('fails (exit 1) an eviction policy that can evict at the limit, volatile-* included: every store key has an expiry', async () => {
    await redis.command('CONFIG', 'SET', 'maxmemory', '104857600');
    await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru');
    const { code, report } = await doctor();
    expect(check(report, 'eviction')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('lifts a deactivation'),
    });
    expect(code).toBe(1);
  });

  it('warns about an evicting policy without a memory limit (nothing evicted yet)', async () => {
    await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const { report } = await doctor();
    expect(check(report, 'eviction')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('once maxmemory is set'),
    });
  });

  it('warns about a pub/sub output buffer a burst of revocations would overflow; keyspace events are noted, never needed', async () => {
    await redis.command('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 65536 32768 60');
    await redis.command('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    const { report } = await doctor();
    expect(check(report, 'pubsub-buffer')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('pubsub 65536 32768 60'),
    });
    expect(check(report, 'keyspace-events')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('needs no keyspace notifications'),
    });
  });

  it('fails the revocation channel for a Redis user that may not SUBSCRIBE: instances would never hear revocations', async () => {
    await redis.command(
      'ACL',
      'SETUSER',
      'nosubscribe',
      'on',
      '>doctor-pass',
      '~*',
      '&*',
      '+@all',
      '-subscribe',
    );
    const { code, report } = await doctor(
      `redis://nosubscribe:doctor-pass@127.0.0.1:${redis.port}`,
      '--timeout',
      '2',
    );
    expect(check(report, 'channel')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('SUBSCRIBE'),
    });
    expect(check(report, 'scripts')?.status).toBe('ok');
    expect(code).toBe(1);
  });

  it('reads what it can where CONFIG is refused (managed Redis), and says what it could not check', async () => {
    await redis.command('ACL', 'SETUSER', 'noconfig', 'on', '>doctor-pass', '~*', '&*', '+@all', '-config');
    const { report } = await doctor(`redis://noconfig:doctor-pass@127.0.0.1:${redis.port}`);
    expect(check(report, 'persistence')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('CONFIG is not allowed'),
    });
    expect(check(report, 'eviction')?.status).toBe('ok');
    expect(check(report, 'channel')?.status).toBe('ok');
  });

  it('exits 5 when Redis cannot be reached', async () => {
    const run = await runCli(['doctor', '--redis', 'redis://127.0.0.1:1', '--timeout', '2']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('Redis at 127.0.0.1:1 could not be reached');
  });
});
