import type { RedisClientLike } from '../../stores/redis/index.js';
import { CliError } from '../exit-codes.js';
import type { RedisAddress } from './target.js';

/** The Redis client library in use: node-redis (`redis`) or ioredis. */
export type RedisLibrary = 'redis' | 'ioredis';

/** One connected deployment, as the operator named it. */
export interface OperatorRedis {
  readonly library: RedisLibrary;
  /** What `redisStore({ client })` takes: the same client kinds an application gives it. */
  readonly client: RedisClientLike;
  /**
   * A plain connection to one data node or Sentinel of the deployment, for `doctor`'s checks. Data
   * nodes get the deployment's credentials; Sentinels none (they have their own, if any).
   */
  openNode(address: RedisAddress, kind?: NodeKind): Promise<NodeConnection>;
  close(): Promise<void>;
}

export type NodeKind = 'data' | 'sentinel';

export interface NodeConnection {
  /** One command; its reply as the library gives it (strings, arrays, maps). */
  command(args: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Settles like `promise`, or rejects with `redis_unavailable` after `timeoutMs` (then `abandon` drops
 * the connection attempt). A client's own connect can wait much longer, or forever.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
  abandon: () => unknown,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        abandon();
      } catch {
        // already closed
      }
      reject(new CliError('redis_unavailable', `${what} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('redis_unavailable', `${what} could not be reached: ${errorText(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A client library's error as one line. Their messages name addresses and Redis replies (ECONNREFUSED,
 * WRONGPASS), never the password; node-redis reports some as AggregateError or plain strings.
 */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorText(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
