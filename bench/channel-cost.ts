/**
 * What the revocation channel costs Redis as the fleet grows (issue 12, docs/scaling.md): N stores,
 * each with its own subscriber connection and heartbeat as N app instances would have, on one
 * redis-server or a 3-master Cluster. Measures Redis CPU (the `used_cpu_*` delta of every node, as a
 * share of one core) with heartbeats only, then with R logout-alls a second announced to all N.
 * Every store lives in this one process, so only the Redis side of the figure is the fleet's.
 *
 *   npm run bench:channel [-- --instances=100 --rate=100 --seconds=20 --cluster --no-write]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { redisStore } from 'authjwt/redis';
import { createClient, createCluster } from 'redis';
import { startRedisCluster, startRedisServer } from '../test/helpers/redis-server.js';
import { writeMarkedSection } from './lib/sections.js';

const argument = (name: string, fallback: number) => {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given === undefined ? fallback : Number(given.slice(name.length + 3));
};
const instances = argument('instances', 100);
const rate = argument('rate', 100);
const seconds = argument('seconds', 20);
const onCluster = process.argv.includes('--cluster');

const redis = onCluster ? await startRedisCluster() : await startRedisServer();
const nodes = 'servers' in redis ? redis.servers : [redis];
const client =
  'nodes' in redis
    ? createCluster({
        rootNodes: redis.nodes.map((node) => ({ url: `redis://${node.host}:${node.port}` })),
        defaults: { disableOfflineQueue: true },
      })
    : createClient({ url: redis.url, disableOfflineQueue: true });
client.on('error', () => {});
await client.connect();

/** Seconds of CPU every Redis node has used so far. */
async function redisCpuSeconds(): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    const info = await node.command('INFO', 'cpu');
    for (const field of ['used_cpu_sys', 'used_cpu_user']) {
      total += Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1]);
    }
  }
  return total;
}

let delivered = 0;
const stores = Array.from({ length: instances }, () => redisStore({ client, prefix: 'bench:' }));
const up = new Set<number>();
const unsubscribes = stores.map((store, n) =>
  store.subscribe((signal) => {
    if (signal === 'up') up.add(n);
    else if (signal === 'down') up.delete(n);
    else delivered += 1;
  }),
);

/** Redis CPU (share of one core) and events delivered per second over the window, with `load` running. */
async function measure(load: () => Promise<void>): Promise<{ cpu: number; deliveries: number }> {
  const cpuBefore = await redisCpuSeconds();
  const deliveredBefore = delivered;
  const started = performance.now();
  await load();
  const elapsed = (performance.now() - started) / 1000;
  const cpu = ((await redisCpuSeconds()) - cpuBefore) / elapsed;
  return { cpu, deliveries: (delivered - deliveredBefore) / elapsed };
}

try {
  const deadline = Date.now() + 30_000;
  while (up.size < instances) {
    if (Date.now() > deadline) throw new Error(`only ${up.size} of ${instances} channels came up`);
    await sleep(100);
  }
  await sleep(2000);
  const idle = await measure(() => sleep(seconds * 1000));
  const store = stores[0];
  if (store === undefined) throw new Error('no store');
  const busy = await measure(async () => {
    const end = performance.now() + seconds * 1000;
    for (let n = 0; performance.now() < end; n++) {
      const tick = performance.now();
      await store.revokeAllSessions(`user-${n}`);
      await sleep(Math.max(0, 1000 / rate - (performance.now() - tick)));
    }
  });
  const topology = onCluster ? 'a 3-master Redis Cluster' : 'one redis-server';
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  const lines = [
    `${instances} subscribers with heartbeats on ${topology}, ${seconds} s per phase`,
    `heartbeats only: Redis CPU ${percent(idle.cpu)} of one core (all nodes)`,
    `with ${rate} logout-alls a second: Redis CPU ${percent(busy.cpu)} of one core; ${busy.deliveries.toFixed(0)} revocation events delivered a second`,
  ];
  console.log(lines.join('\n'));
  if (!process.argv.includes('--no-write')) {
    const name = `channel-${instances}${onCluster ? '-cluster' : ''}`;
    writeMarkedSection(
      new URL('RESULTS.md', import.meta.url).pathname,
      name,
      [
        `<!-- ${name}:start -->`,
        `## Revocation channel cost: ${instances} instances on ${topology}`,
        '',
        `Written by \`npm run bench:channel -- --instances=${instances}${onCluster ? ' --cluster' : ''}\` on ${new Date().toISOString().slice(0, 10)}. ${instances} stores in one process, each with its own subscriber connection and once-a-second heartbeat, as ${instances} app instances would have; Redis CPU is the \`used_cpu_sys\` + \`used_cpu_user\` delta of every node over the phase.`,
        '',
        ...lines.map((line) => `- ${line}`),
        `<!-- ${name}:end -->`,
      ].join('\n'),
    );
  }
} finally {
  for (const unsubscribe of unsubscribes) unsubscribe();
  await Promise.all(stores.map((store) => store.close()));
  client.destroy();
  await redis.stop();
}
