import { usageError } from '../exit-codes.js';

/** Where a Redis node or a Sentinel listens. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** Credentials and TLS of a `redis://` / `rediss://` URL, for every connection to that deployment. */
export interface RedisAccess {
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

/** Which Redis the command line (or the environment) names: one server, a Cluster, or a Sentinel group's master. */
export type RedisTarget =
  | {
      readonly topology: 'standalone';
      readonly url: string;
      readonly address: RedisAddress;
      readonly access: RedisAccess;
    }
  | { readonly topology: 'cluster'; readonly nodes: readonly RedisAddress[]; readonly access: RedisAccess }
  | {
      readonly topology: 'sentinel';
      readonly sentinels: readonly RedisAddress[];
      readonly name: string;
      readonly access: RedisAccess;
    };

export interface RedisTargetOptions {
  readonly redis?: string | undefined;
  readonly redisCluster?: string | undefined;
  readonly sentinels?: string | undefined;
  readonly sentinelName?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Credentials of Cluster nodes and of the data nodes a Sentinel group names (not of the Sentinels):
 * `REDIS_USERNAME` and `REDIS_PASSWORD`, from the environment only, never an option.
 */
function accessFromEnv(env: Env): RedisAccess {
  return {
    tls: false,
    ...(env.REDIS_USERNAME && { username: env.REDIS_USERNAME }),
    ...(env.REDIS_PASSWORD && { password: env.REDIS_PASSWORD }),
  };
}

/**
 * `--redis <url>`, `--redis-cluster <host:port,...>` or `--sentinels <host:port,...>` (with
 * `--sentinel-name`, default `mymaster`); without any of them the reference app's variables
 * `REDIS_URL`, `REDIS_CLUSTER_NODES`, `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`, so a URL holding a
 * password can stay out of the command line. Two at once are refused rather than one picked.
 * Messages never echo a value (a URL may hold a password).
 */
export function redisTarget(options: RedisTargetOptions, env: Env): RedisTarget {
  const given = [
    ['--redis', options.redis],
    ['--redis-cluster', options.redisCluster],
    ['--sentinels', options.sentinels],
  ].filter(([, value]) => value !== undefined);
  if (given.length > 1)
    throw usageError(
      `give one of --redis, --redis-cluster, --sentinels, not ${given.map(([name]) => name).join(' and ')}`,
    );
  if (given.length === 0) return fromEnv(env);
  if (options.redis !== undefined) return standalone(options.redis, '--redis');
  if (options.redisCluster !== undefined) {
    return {
      topology: 'cluster',
      nodes: addressList('--redis-cluster', options.redisCluster),
      access: accessFromEnv(env),
    };
  }
  return sentinel(
    '--sentinels',
    options.sentinels as string,
    options.sentinelName ?? env.REDIS_SENTINEL_NAME,
    env,
  );
}

function fromEnv(env: Env): RedisTarget {
  const names = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].filter((name) => env[name]);
  if (names.length > 1)
    throw usageError(`the environment sets ${names.join(' and ')}: give one of them, or an option`);
  if (env.REDIS_URL) return standalone(env.REDIS_URL, 'REDIS_URL');
  if (env.REDIS_CLUSTER_NODES) {
    return {
      topology: 'cluster',
      nodes: addressList('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES),
      access: accessFromEnv(env),
    };
  }
  if (env.REDIS_SENTINELS)
    return sentinel('REDIS_SENTINELS', env.REDIS_SENTINELS, env.REDIS_SENTINEL_NAME, env);
  throw usageError(
    'name the Redis: --redis <url>, --redis-cluster <host:port,...> or --sentinels <host:port,...>',
  );
}

function standalone(value: string, source: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${source} must be a redis:// or rediss:// URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw usageError(`${source} must be a redis:// or rediss:// URL`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const access: RedisAccess = {
    tls: url.protocol === 'rediss:',
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
  };
  return { topology: 'standalone', url: value, address: { host: host || '127.0.0.1', port }, access };
}

function sentinel(source: string, list: string, name: string | undefined, env: Env): RedisTarget {
  const masterName = name || 'mymaster';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(masterName)) {
    throw usageError("--sentinel-name must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return {
    topology: 'sentinel',
    sentinels: addressList(source, list),
    name: masterName,
    access: accessFromEnv(env),
  };
}

/** `host:port,host:port,...`; an IPv6 host in brackets (`[::1]:26379`). */
export function addressList(source: string, value: string): RedisAddress[] {
  return value.split(',').map((entry, index) => {
    const match = /^(?:\[([^\]\s]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry.trim());
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (host === undefined || !(port >= 1 && port <= 65_535)) {
      throw usageError(`${source} must be host:port,host:port,... (entry ${index + 1} is not host:port)`);
    }
    return { host, port };
  });
}

export function formatAddress(address: RedisAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The target for messages and output: addresses and names, never credentials. */
export function describeTarget(target: RedisTarget): string {
  switch (target.topology) {
    case 'standalone':
      return `Redis at ${formatAddress(target.address)}${target.access.tls ? ' (TLS)' : ''}`;
    case 'cluster':
      return `Redis Cluster (seed nodes ${target.nodes.map(formatAddress).join(', ')})`;
    case 'sentinel':
      return `master "${target.name}" of the Sentinels ${target.sentinels.map(formatAddress).join(', ')}`;
  }
}
