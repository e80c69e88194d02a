import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisCluster, startRedisCluster, waitFor } from '../helpers/redis-server.js';
import { json, runCli } from './run-cli.js';
import {
  expectServedFromCache,
  outcomeOf,
  type RunningInstance,
  startRunningInstance,
} from './running-instance.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

let cluster: RedisCluster;
let client: ReturnType<typeof createCluster>;
let app: RunningInstance;
let nodes: string;

beforeAll(async () => {
  cluster = await startRedisCluster();
  nodes = cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',');
  client = createCluster({
    rootNodes: cluster.nodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
    defaults: { disableOfflineQueue: true },
  });
  client.on('error', () => {});
  await client.connect();
  app = await startRunningInstance(client);
}, 60_000);

afterAll(async () => {
  await app?.close();
  client?.destroy();
  await cluster?.stop();
});

describe('the CLI on a Redis Cluster (--redis-cluster)', () => {
  it('lists and revokes sessions of users spread over the masters; a running instance refuses them at once', async () => {
    // Enough users that their hash tags land on more than one master.
    const users = ['c-alice', 'c-bob', 'c-carol', 'c-dave', 'c-erin', 'c-frank'];
    const pairs = await Promise.all(users.map((user) => app.login(user)));
    for (const pair of pairs) await expectServedFromCache(app.auth, pair.accessToken);
    const listed = await runCli(['sessions', 'list', 'c-alice', '--redis-cluster', nodes, '--json']);
    expect(listed.code).toBe(0);
    const aliceSid = app.auth.tokens.verifyAccessToken((pairs[0] as { accessToken: string }).accessToken).sid;
    expect(json<{ sessions: { id: string }[] }>(listed).sessions.map((session) => session.id)).toEqual([
      aliceSid,
    ]);

    const revoked = await runCli([
      'sessions',
      'revoke',
      'c-alice',
      aliceSid as string,
      '--redis-cluster',
      nodes,
    ]);
    expect(revoked.code).toBe(0);
    const all = await runCli([
      'sessions',
      'revoke-all',
      'c-bob',
      '--redis-cluster',
      nodes,
      '--redis-client',
      'ioredis',
      '--json',
    ]);
    expect(json(all)).toEqual({ userId: 'c-bob', ended: 1 });
    const deactivated = await runCli(['users', 'deactivate', 'c-carol'], {
      env: { REDIS_CLUSTER_NODES: nodes },
    });
    expect(deactivated.code).toBe(0);

    await waitFor(() =>
      ['c-alice', 'c-bob', 'c-carol'].every((user) => app.events.some((event) => event.userId === user)),
    );
    for (const pair of pairs.slice(0, 3))
      expect(await outcomeOf(app.auth.authenticate(pair.accessToken))).not.toBe('accepted');
    expect(await outcomeOf(app.login('c-carol'))).toBe('user_inactive');
    for (const pair of pairs.slice(3))
      expect(await outcomeOf(app.auth.authenticate(pair.accessToken))).toBe('accepted');
  });

  it('sends REDIS_USERNAME and REDIS_PASSWORD to every node, through either client, and never prints them', async () => {
    for (const server of cluster.servers) {
      await server.command('ACL', 'SETUSER', 'operator', 'on', '>cluster-node-pass', '~*', '&*', '+@all');
    }
    const runs = await Promise.all(
      (['redis', 'ioredis'] as const).flatMap((library) => [
        runCli(['sessions', 'revoke-all', 'c-erin', '--redis-cluster', nodes, '--redis-client', library], {
          env: { REDIS_USERNAME: 'operator', REDIS_PASSWORD: 'cluster-node-pass' },
        }),
        runCli(
          [
            'sessions',
            'revoke-all',
            'c-erin',
            '--redis-cluster',
            nodes,
            '--redis-client',
            library,
            '--timeout',
            '2',
          ],
          {
            env: { REDIS_USERNAME: 'operator', REDIS_PASSWORD: 'not-the-cluster-pass' },
          },
        ),
      ]),
    );
    expect(runs.map((run) => run.code)).toEqual([0, 5, 0, 5]);
    for (const run of runs)
      expect(run.stdout + run.stderr).not.toMatch(/cluster-node-pass|not-the-cluster-pass/);
    const doctor = await runCli(['doctor', '--redis-cluster', nodes, '--json'], {
      env: { REDIS_USERNAME: 'operator', REDIS_PASSWORD: 'cluster-node-pass' },
    });
    expect(
      json<{ checks: { check: string }[] }>(doctor).checks.filter((check) => check.check === 'version'),
    ).toHaveLength(3);
  });

  it('doctor checks every master of the cluster and the cluster state, and proves the revocation channel', async () => {
    const run = await runCli(['doctor', '--redis-cluster', nodes, '--json']);
    const report = json<{ checks: { check: string; status: string; node?: string; role?: string }[] }>(run);
    expect(report.checks).toContainEqual(expect.objectContaining({ check: 'cluster', status: 'ok' }));
    const checkedNodes = new Set(
      report.checks.filter((check) => check.check === 'version').map((check) => check.node),
    );
    expect(checkedNodes).toEqual(new Set(nodes.split(',')));
    expect(report.checks).toContainEqual(expect.objectContaining({ check: 'channel', status: 'ok' }));
    expect(report.checks).toContainEqual(expect.objectContaining({ check: 'scripts', status: 'ok' }));
    // The test cluster runs without persistence: warnings only.
    expect(report.checks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(run.code).toBe(3);
  });
});
