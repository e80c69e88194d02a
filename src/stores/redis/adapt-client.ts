import { AuthConfigError } from '../../errors.js';
import type { RedisConnection } from './connection.js';
import { type IoRedisClient, ioredisConnection } from './ioredis.js';
import {
  type NodeRedisClient,
  type NodeRedisCluster,
  nodeRedisClusterConnection,
  nodeRedisConnection,
} from './node-redis.js';

/**
 * A Redis client the store accepts: a node-redis (v5+) client or cluster (`createClient`,
 * `createCluster`) or an ioredis (v5+) `Redis` or `Cluster`. Typed by shape so this package needs
 * neither library installed; which one it is, is found at construction.
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
    throw new AuthConfigError(
      'client',
      'node-redis Sentinel (createSentinel) is not supported yet; use ioredis with `sentinels`, or a client of the master',
    );
  }
  if (typeof c.sendCommand === 'function' && typeof c.nodeClient === 'function' && 'masters' in c) {
    return nodeRedisClusterConnection(client as NodeRedisCluster, timeoutMs);
  }
  if (typeof c.sendCommand === 'function' && typeof c.duplicate === 'function') {
    return nodeRedisConnection(client as NodeRedisClient, timeoutMs);
  }
  throw new AuthConfigError(
    'client',
    'must be a node-redis client or cluster (createClient, createCluster) or an ioredis Redis or Cluster',
  );
}
