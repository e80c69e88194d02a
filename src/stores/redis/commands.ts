import { AuthError } from '../../errors.js';
import type { RedisConnection } from './connection.js';
import type { LuaScript } from './lua-script.js';

/** How the store talks to Redis: bounded commands, and scripts by SHA. */
export interface Commands {
  /**
   * One command, bounded by the timeout. Every failure becomes `store_unavailable`, with the Redis
   * message (never the command, whose arguments hold ids) as the cause.
   */
  send(args: readonly string[], routingKey: string | undefined): Promise<unknown>;
  /** EVALSHA, and EVAL when this server has not cached the script (a restart, a new Cluster node). */
  run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

export function commands(redis: RedisConnection, timeoutMs: number): Commands {
  const send = (args: readonly string[], routingKey: string | undefined): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new AuthError('store_unavailable', { reason: 'redis_timeout' }));
      }, timeoutMs);
      timer.unref();
      let sent: Promise<unknown>;
      try {
        sent = redis.send(args, routingKey);
      } catch (error) {
        sent = Promise.reject(error);
      }
      // Settles once; a reply after the timeout is dropped here, never left unhandled.
      sent.then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(storeError(error));
        },
      );
    });

  const run = async (
    script: LuaScript,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> => {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await send(['EVALSHA', script.sha, ...tail], keys[0]);
    } catch (error) {
      if (!(error instanceof AuthError) || error.reason !== 'noscript') throw error;
      return send(['EVAL', script.source, ...tail], keys[0]);
    }
  };

  return { send, run };
}

function storeError(error: unknown): AuthError {
  const message = error instanceof Error ? error.message : String(error);
  return new AuthError('store_unavailable', {
    reason: message.startsWith('NOSCRIPT') ? 'noscript' : 'redis_error',
    cause: new Error(`Redis: ${message}`),
  });
}
