import { CliError, usageError } from '../exit-codes.js';
import type { OperatorRedis, RedisLibrary } from './connection.js';
import type { RedisTarget } from './target.js';

/**
 * Connects with the Redis client library installed beside authjwt (both are optional peer
 * dependencies): node-redis (`redis`) when present, else ioredis; `preferred` (`--redis-client`)
 * picks one. Loaded only by the commands that need Redis, so `keygen` and `inspect` work without.
 */
export async function connectRedis(
  target: RedisTarget,
  options: { preferred?: string | undefined; timeoutMs: number },
): Promise<OperatorRedis> {
  const preferred = options.preferred;
  if (preferred !== undefined && preferred !== 'redis' && preferred !== 'ioredis') {
    throw usageError('--redis-client must be redis or ioredis');
  }
  const order: RedisLibrary[] =
    preferred === 'ioredis' ? ['ioredis'] : preferred === 'redis' ? ['redis'] : ['redis', 'ioredis'];
  for (const library of order) {
    if (library === 'redis') {
      const module = await load(() => import('redis'));
      if (module !== undefined) {
        const { connectNodeRedis } = await import('./node-redis.js');
        return connectNodeRedis(module, target, options.timeoutMs);
      }
    } else {
      const module = await load(() => import('ioredis'));
      if (module !== undefined) {
        const { connectIoRedis } = await import('./ioredis.js');
        return connectIoRedis(module, target, options.timeoutMs);
      }
    }
  }
  throw new CliError(
    'failed',
    preferred === undefined
      ? 'no Redis client is installed: install one beside authjwt, `npm install redis` (or `npm install ioredis`)'
      : `the Redis client ${preferred} is not installed: \`npm install ${preferred}\``,
    { reason: 'redis_client_missing' },
  );
}

async function load<T>(importer: () => Promise<T>): Promise<T | undefined> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
