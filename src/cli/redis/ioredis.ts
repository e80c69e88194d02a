import { type NodeConnection, type NodeKind, type OperatorRedis, withDeadline } from './connection.js';
import type { RedisAccess, RedisAddress, RedisTarget } from './target.js';
import { describeTarget, formatAddress } from './target.js';

type IoRedisModule = Pick<typeof import('ioredis'), 'Redis' | 'Cluster'>;

/**
 * The deployment through ioredis, connected (or refused) within `timeoutMs`: no offline queue, one
 * try per command, no reconnection (see node-redis.ts).
 */
export async function connectIoRedis(
  ioredis: IoRedisModule,
  target: RedisTarget,
  timeoutMs: number,
): Promise<OperatorRedis> {
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  };
  const openNode = (address: RedisAddress, kind: NodeKind = 'data') =>
    openPlainNode(ioredis, address, kind === 'data' ? target.access : { tls: false }, timeoutMs);
  const login = {
    ...(target.access.username !== undefined && { username: target.access.username }),
    ...(target.access.password !== undefined && { password: target.access.password }),
  };
  const what = describeTarget(target);
  switch (target.topology) {
    case 'standalone': {
      const client = new ioredis.Redis(target.url, common);
      client.on('error', ignore);
      await withDeadline(client.connect(), timeoutMs, what, () => client.disconnect());
      return { library: 'ioredis', client, openNode, close: async () => client.disconnect() };
    }
    case 'cluster': {
      const client = new ioredis.Cluster(
        target.nodes.map((node) => ({ host: node.host, port: node.port })),
        {
          enableOfflineQueue: false,
          lazyConnect: true,
          clusterRetryStrategy: () => null,
          redisOptions: { ...common, ...login },
        },
      );
      client.on('error', ignore);
      await withDeadline(client.connect(), timeoutMs, what, () => client.disconnect());
      return { library: 'ioredis', client, openNode, close: async () => client.disconnect() };
    }
    case 'sentinel': {
      const client = new ioredis.Redis({
        ...common,
        ...login,
        sentinels: target.sentinels.map((node) => ({ host: node.host, port: node.port })),
        name: target.name,
        sentinelRetryStrategy: () => null,
      });
      client.on('error', ignore);
      await withDeadline(client.connect(), timeoutMs, what, () => client.disconnect());
      return { library: 'ioredis', client, openNode, close: async () => client.disconnect() };
    }
  }
}

async function openPlainNode(
  ioredis: IoRedisModule,
  address: RedisAddress,
  access: RedisAccess,
  timeoutMs: number,
): Promise<NodeConnection> {
  const client = new ioredis.Redis({
    host: address.host,
    port: address.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    ...(access.tls && { tls: {} }),
    ...(access.username !== undefined && { username: access.username }),
    ...(access.password !== undefined && { password: access.password }),
  });
  client.on('error', ignore);
  const what = `Redis at ${formatAddress(address)}`;
  await withDeadline(client.connect(), timeoutMs, what, () => client.disconnect());
  return {
    command: ([command = 'PING', ...args]) =>
      withDeadline(client.call(command, ...args), timeoutMs, what, () => {}),
    close: async () => client.disconnect(),
  };
}

function ignore(): void {}
