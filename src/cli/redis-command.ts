import { type Command, Option } from 'commander';
import { seconds } from './input.js';
import type { CommandResult } from './output.js';
import type { CliIo } from './program.js';
import type { RedisTargetOptions } from './redis/target.js';
import type { OperatorStore } from './store-access.js';

/** The options of every command that talks to Redis. */
export interface RedisOptions extends RedisTargetOptions {
  readonly prefix: string;
  readonly redisClient?: string;
  readonly timeout: string;
  readonly json?: boolean;
}

const redisHelp = `
Redis (as the reference app's REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS and
REDIS_SENTINEL_NAME, which are read when no option names it):
  --redis redis://[user:password@]host:port[/db]   one server (rediss:// for TLS)
  --redis-cluster host:port,host:port              a Redis Cluster, by any of its nodes
  --sentinels host:port,... [--sentinel-name mymaster]   the master a Sentinel group names
Prefer the environment for a URL with a password: arguments are visible to other local users.
Cluster nodes and the nodes Sentinels name take REDIS_USERNAME and REDIS_PASSWORD from the environment.
--prefix and --user-state-ttl must match the application's redisStore options.`;

/** The options of the commands that write through the store: they must match the application's. */
export interface StoreFlags {
  readonly userStateTtl: string;
  readonly revocationAcks: string;
}

/** Adds how to reach Redis: --redis, --redis-cluster, --sentinels, --prefix, --redis-client, --timeout. */
export function withRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'one Redis server: redis://[user:password@]host:port[/db] (env REDIS_URL)')
    .option('--redis-cluster <nodes>', 'a Redis Cluster: host:port,host:port,... (env REDIS_CLUSTER_NODES)')
    .option('--sentinels <nodes>', 'Sentinels: host:port,host:port,... (env REDIS_SENTINELS)')
    .option('--sentinel-name <name>', 'the master the Sentinels name (env REDIS_SENTINEL_NAME)', undefined)
    .option('--prefix <prefix>', "the store's key prefix, as given to redisStore", 'authjwt:')
    .addOption(
      new Option(
        '--redis-client <library>',
        'the Redis client to use (default: redis if installed, else ioredis)',
      ).choices(['redis', 'ioredis']),
    )
    .option('--timeout <seconds>', 'how long Redis has to connect and answer', '5')
    .addHelpText('after', redisHelp);
}

export function withStoreOptions(command: Command): Command {
  return withRedisOptions(command)
    .option(
      '--user-state-ttl <duration>',
      "how long a deactivation is kept, as the app's redisStore userStateTtl",
      '30d',
    )
    .option(
      '--revocation-acks <n>',
      "replicas that must acknowledge each revocation (WAIT), as the app's revocationAcks",
      '0',
    );
}

type Operations = {
  sessions: typeof import('./sessions.js');
  users: typeof import('./users.js');
};

/** Opens the store the options name, runs `operation`, and closes it whatever happened. */
export async function withStore(
  options: RedisOptions & StoreFlags,
  io: CliIo,
  operation: (store: OperatorStore, ops: Operations) => Promise<CommandResult>,
  listing: { listLimit?: number; notBefore?: number } = {},
): Promise<CommandResult> {
  const [{ redisTarget }, access, sessions, users] = await Promise.all([
    import('./redis/target.js'),
    import('./store-access.js'),
    import('./sessions.js'),
    import('./users.js'),
  ]);
  const target = redisTarget(options, io.env);
  const store = await access.openOperatorStore(
    target,
    {
      prefix: options.prefix,
      userStateTtl: options.userStateTtl,
      revocationAcks: options.revocationAcks,
      redisClient: options.redisClient,
      timeoutMs: seconds('--timeout', options.timeout),
    },
    listing,
  );
  try {
    return await operation(store, { sessions, users });
  } catch (error) {
    throw access.storeFailure(error, store.target);
  } finally {
    await store.close();
  }
}
