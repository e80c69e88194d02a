import { AuthConfigError } from '../../errors.js';
import type { RedisConnection } from './connection.js';
import { type IoRedisClient, ioredisConnection } from './ioredis.js';
import {
  type NodeRedisClient,
  type NodeRedisCluster,
  nodeRedisClusterConnection,
  nodeRedisConnection,
} from './node-redis.js';
import { type NodeRedisSentinel, nodeRedisSentinelConnection } from './node-redis-sentinel.js';

/**
 * A Redis client the store accepts: a node-redis (v5+) client, cluster or Sentinel client
 * (`createClient`, `createCluster`, `createSentinel`) or an ioredis (v5+) `Redis` (of a master, or
 * with `sentinels`) or `Cluster`. Typed by shape so this package needs neither library installed;
 * which one it is, is found at construction.
 */
export type RedisClientLike =
  | { sendCommand(...args: never[]): Promise<unknown>; duplicate(...args: never[]): unknown }
  | { call(...args: never[]): Promise<unknown>; duplicate(...args: never[]): unknown; isCluster: boolean };

/** Finds the client's library and topology by its shape (no import of either library). */
export function adaptClient(client: unknown, timeoutMs: number): RedisConnection {
  const c = (typeof client === 'object' && client !== null ? client : {}) as Record<string, unknown>;
  if (typeof c.call === 'function' && typeof c.isCluster === 'boolean') {
    return ioredisConnection(client as IoRedisClient);
  }
  if (typeof c.acquire === 'function' && typeof c.getMasterNode === 'function') {
    return nodeRedisSentinelConnection(client as NodeRedisSentinel);
  }
  if (typeof c.sendCommand === 'function' && typeof c.nodeClient === 'function' && 'masters' in c) {
    return nodeRedisClusterConnection(client as NodeRedisCluster, timeoutMs);
  }
  if (typeof c.sendCommand === 'function' && typeof c.duplicate === 'function') {
    return nodeRedisConnection(client as NodeRedisClient, timeoutMs);
  }
  throw new AuthConfigError(
    'client',
    'must be a node-redis client, cluster or Sentinel client (createClient, createCluster, createSentinel) or an ioredis Redis or Cluster',
  );
}
