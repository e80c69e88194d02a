import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectNodeRedisSentinel, type NodeRedisSentinel } from '../helpers/redis-client.js';
import { type SentinelGroup, startSentinelGroup } from '../helpers/redis-sentinel.js';
import { rawCommand, waitFor } from '../helpers/redis-server.js';
import { json, runCli } from './run-cli.js';
import {
  expectServedFromCache,
  outcomeOf,
  type RunningInstance,
  startRunningInstance,
} from './running-instance.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

let group: SentinelGroup;
let client: NodeRedisSentinel;
let app: RunningInstance;

beforeAll(async () => {
  group = await startSentinelGroup();
  client = await connectNodeRedisSentinel(group);
  app = await startRunningInstance(client);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await client?.destroy();
  await group?.stop();
});

describe('the CLI on the master a Sentinel group names (--sentinels)', () => {
  it('revokes a session and deactivates a user through the Sentinels; a running instance refuses them at once', async () => {
    const revoked = await app.login('s-alice');
    const deactivated = await app.login('s-bob');
    await expectServedFromCache(app.auth, revoked.accessToken);
    await expectServedFromCache(app.auth, deactivated.accessToken);
    const sid = app.auth.tokens.verifyAccessToken(revoked.accessToken).sid as string;
    const sentinels = ['--sentinels', group.sentinelList, '--sentinel-name', group.name];
    // The group's replica confirms the revocation (WAIT), as an application with revocationAcks: 1 asks.
    const run = await runCli(['sessions', 'revoke', 's-alice', sid, ...sentinels, '--revocation-acks', '1']);
    expect(run.code).toBe(0);
    const users = await runCli(['users', 'deactivate', 's-bob', '--redis-client', 'ioredis'], {
      env: { REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_NAME: group.name },
    });
    expect(users.code).toBe(0);
    await waitFor(() =>
      ['s-alice', 's-bob'].every((user) => app.events.some((event) => event.userId === user)),
    );
    expect(await outcomeOf(app.auth.authenticate(revoked.accessToken))).toBe('token_revoked');
    expect(await outcomeOf(app.auth.authenticate(deactivated.accessToken))).not.toBe('accepted');
    expect(await outcomeOf(app.login('s-bob'))).toBe('user_inactive');
  });

  it('doctor checks the master and its replica, the Sentinel quorum, and warns that a failover can lose revocations', async () => {
    const run = await runCli([
      'doctor',
      '--sentinels',
      group.sentinelList,
      '--sentinel-name',
      group.name,
      '--json',
    ]);
    const report = json<{ checks: { check: string; status: string; node?: string; role?: string }[] }>(run);
    const master = await group.master();
    expect(report.checks).toContainEqual(expect.objectContaining({ check: 'sentinel', status: 'ok' }));
    const versions = report.checks.filter((check) => check.check === 'version');
    expect(versions.map((check) => check.role).sort()).toEqual(['master', 'replica']);
    expect(versions.find((check) => check.role === 'master')?.node).toBe(`127.0.0.1:${master.port}`);
    expect(report.checks).toContainEqual(
      expect.objectContaining({
        check: 'replication',
        status: 'warn',
        message: expect.stringContaining('min-replicas-to-write 1'),
      }),
    );
    expect(report.checks).toContainEqual(expect.objectContaining({ check: 'channel', status: 'ok' }));
    expect(run.code).toBe(3);
  });

  it('sends REDIS_USERNAME and REDIS_PASSWORD to the data nodes the Sentinels name, not to the Sentinels', async () => {
    const master = await group.master();
    const replicaPort = Number(
      /slave0:ip=[^,]+,port=(\d+)/.exec(await master.command('INFO', 'replication'))?.[1],
    );
    for (const port of [master.port, replicaPort]) {
      await rawCommand(port, [
        'ACL',
        'SETUSER',
        'operator',
        'on',
        '>sentinel-node-pass',
        '~*',
        '&*',
        '+@all',
      ]);
    }
    const sentinels = ['--sentinels', group.sentinelList, '--sentinel-name', group.name];
    const [right, wrong, doctor] = await Promise.all([
      runCli(['users', 'activate', 's-nobody', ...sentinels], {
        env: { REDIS_USERNAME: 'operator', REDIS_PASSWORD: 'sentinel-node-pass' },
      }),
      runCli(['users', 'activate', 's-nobody', ...sentinels, '--timeout', '2'], {
        env: { REDIS_USERNAME: 'operator', REDIS_PASSWORD: 'not-the-node-pass' },
      }),
      runCli(['doctor', ...sentinels, '--json'], {
        env: { REDIS_USERNAME: 'operator', REDIS_PASSWORD: 'sentinel-node-pass' },
      }),
    ]);
    expect(right.code).toBe(0);
    expect(wrong.code).toBe(5);
    const report = json<{ checks: { check: string; status: string }[] }>(doctor);
    expect(report.checks).toContainEqual(expect.objectContaining({ check: 'sentinel', status: 'ok' }));
    expect(report.checks.filter((check) => check.check === 'version')).toHaveLength(2);
    for (const run of [right, wrong, doctor]) expect(run.stdout + run.stderr).not.toMatch(/node-pass/);
  });

  it('doctor on the master by URL finds its replica through INFO replication and checks it too', async () => {
    const master = await group.master();
    const run = await runCli(['doctor', '--redis', `redis://127.0.0.1:${master.port}`, '--json']);
    const report = json<{ checks: { check: string; role?: string }[] }>(run);
    const roles = report.checks.filter((check) => check.check === 'version').map((check) => check.role);
    expect(roles.sort()).toEqual(['master', 'replica']);
  });
});
