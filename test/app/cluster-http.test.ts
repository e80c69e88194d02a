import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type RedisCluster, startRedisCluster, waitFor } from '../helpers/redis-server.js';
import { describeOneService } from './one-service.js';
import { call, type RunningApp, startApp, startInstances } from './start-app.js';

/* The reference app with REDIS_CLUSTER_NODES, on a real 3-master Redis Cluster. */

let cluster: RedisCluster;
let env: Record<string, string>;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  cluster = await startRedisCluster();
  env = {
    JWT_SECRET: 'cluster-http-test-secret-0123456789abcdef',
    // Any of the nodes would do: the client learns the others from it.
    REDIS_CLUSTER_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
  };
  [a, b] = (await startInstances(env)) as [RunningApp, RunningApp];
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await cluster?.stop();
});

describeOneService(
  'two instances on a 3-master Redis Cluster are one service',
  () => [a, b],
  () => cluster.flush(),
);

const aliceLogin = (base: string) =>
  call(base, 'POST', '/auth/login', { body: { username: 'alice', password: 'alice-pass' } });

// Last: it stops every node.
describe('the Cluster unreachable', () => {
  it('GET /healthz and logins answer 503 while no node answers, and recover once the nodes are back, in an instance started meanwhile too', async () => {
    expect((await call(a.url, 'GET', '/healthz')).body).toEqual({
      status: 'ok',
      store: 'redis',
      framework: a.framework,
    });
    await Promise.all(cluster.servers.map((server) => server.stop()));
    await waitFor(async () => (await call(a.url, 'GET', '/healthz')).status === 503, 10_000);
    const login = await aliceLogin(b.url);
    expect(login.status).toBe(503);
    expect(login.body.code).toBe('store_unavailable');
    // Its first connection fails: the cluster client gives up on it, and the app tries again.
    const late = await startApp(env);
    onTestFinished(() => late.close());
    expect((await call(late.url, 'GET', '/healthz')).status).toBe(503);

    await Promise.all(cluster.servers.map((server) => server.start()));
    for (const app of [a, b, late]) {
      await waitFor(
        async () =>
          (await aliceLogin(app.url)).status === 200 &&
          (await call(app.url, 'GET', '/healthz')).status === 200,
        30_000,
      );
    }
  }, 60_000);
});
