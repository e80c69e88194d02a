import { type NodeConnection, type NodeKind, type OperatorRedis, withDeadline } from './connection.js';
import type { RedisAccess, RedisAddress, RedisTarget } from './target.js';
import { describeTarget, formatAddress } from './target.js';

type NodeRedisModule = typeof import('redis');

/**
 * The deployment through node-redis, connected (or refused) within `timeoutMs`. Like the application's
 * clients, commands fail at once while a node is away (no offline queue), and nothing reconnects: a
 * command-line run that lost Redis should say so, not wait.
 */
export async function connectNodeRedis(
  redis: NodeRedisModule,
  target: RedisTarget,
  timeoutMs: number,
): Promise<OperatorRedis> {
  const socket = { connectTimeout: timeoutMs, reconnectStrategy: false as const };
  const nodeOptions = { disableOfflineQueue: true, socket, ...credentials(target.access) };
  const openNode = (address: RedisAddress, kind: NodeKind = 'data') =>
    openPlainNode(redis, address, kind === 'data' ? target.access : { tls: false }, timeoutMs);
  const what = describeTarget(target);
  switch (target.topology) {
    case 'standalone': {
      const client = redis.createClient({
        url: target.url,
        ...nodeOptions,
        socket: { ...socket, ...tls(target.access) },
      });
      client.on('error', ignore);
      await withDeadline(client.connect(), timeoutMs, what, () => client.destroy());
      return { library: 'redis', client, openNode, close: async () => client.destroy() };
    }
    case 'cluster': {
      const client = redis.createCluster({
        rootNodes: target.nodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
        defaults: nodeOptions,
      });
      client.on('error', ignore);
      client.on('node-error', ignore);
      await withDeadline(client.connect(), timeoutMs, what, () => client.destroy());
      return { library: 'redis', client, openNode, close: async () => client.destroy() };
    }
    case 'sentinel': {
      const client = redis.createSentinel({
        name: target.name,
        sentinelRootNodes: target.sentinels.map((node) => ({ host: node.host, port: node.port })),
        nodeClientOptions: nodeOptions,
        sentinelClientOptions: { socket: { connectTimeout: timeoutMs } },
      });
      client.on('error', ignore);
      await withDeadline(client.connect(), timeoutMs, what, () => client.destroy());
      return { library: 'redis', client, openNode, close: async () => void (await client.destroy()) };
    }
  }
}

async function openPlainNode(
  redis: NodeRedisModule,
  address: RedisAddress,
  access: RedisAccess,
  timeoutMs: number,
): Promise<NodeConnection> {
  const client = redis.createClient({
    disableOfflineQueue: true,
    socket: {
      host: address.host,
      port: address.port,
      connectTimeout: timeoutMs,
      reconnectStrategy: false,
      ...tls(access),
    },
    ...credentials(access),
  });
  client.on('error', ignore);
  await withDeadline(client.connect(), timeoutMs, `Redis at ${formatAddress(address)}`, () =>
    client.destroy(),
  );
  return {
    command: (args) =>
      withDeadline(client.sendCommand([...args]), timeoutMs, `Redis at ${formatAddress(address)}`, () => {}),
    close: async () => client.destroy(),
  };
}

function credentials(access: RedisAccess): { username?: string; password?: string } {
  return {
    ...(access.username !== undefined && { username: access.username }),
    ...(access.password !== undefined && { password: access.password }),
  };
}

function tls(access: RedisAccess): { tls: true } | Record<string, never> {
  return access.tls ? { tls: true } : {};
}

/** Failures surface through the commands that meet them; an 'error' listener keeps them from crashing the process. */
function ignore(): void {}
