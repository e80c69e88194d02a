/** Where a Redis node or a Sentinel listens. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Which Redis the environment names: one server, a Cluster, or the master a Sentinel group names. */
export type RedisConfig =
  | { topology: 'standalone'; url: string }
  | { topology: 'cluster'; nodes: RedisNode[] }
  | { topology: 'sentinel'; sentinels: RedisNode[]; name: string };

type Env = Record<string, string | undefined>;

const topologyVariables = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;

/**
 * Reads `REDIS_URL`, `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS` (with `REDIS_SENTINEL_NAME`); none
 * set means the embedded store. Two at once are refused rather than one picked: instances that chose
 * differently would not be one service. Messages name the variable, never echo its value (a value
 * pasted in the wrong place may hold a password).
 */
export function redisConfig(env: Env): RedisConfig | undefined {
  const given = topologyVariables.filter((name) => env[name]);
  if (given.length > 1) {
    throw new Error(`set one of ${topologyVariables.join(', ')}, not ${given.join(' and ')}`);
  }
  if (env.REDIS_URL) return { topology: 'standalone', url: env.REDIS_URL };
  if (env.REDIS_CLUSTER_NODES) {
    return { topology: 'cluster', nodes: nodeList('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES) };
  }
  if (env.REDIS_SENTINELS) {
    return {
      topology: 'sentinel',
      sentinels: nodeList('REDIS_SENTINELS', env.REDIS_SENTINELS),
      name: sentinelName(env.REDIS_SENTINEL_NAME || 'mymaster'),
    };
  }
  return undefined;
}

/** `host:port,host:port,...`; an IPv6 host in brackets (`[::1]:26379`). */
function nodeList(name: string, value: string): RedisNode[] {
  return value.split(',').map((entry, index) => {
    const match = /^(?:\[([^\]\s]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry.trim());
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (host === undefined || !(port >= 1 && port <= 65_535)) {
      throw new Error(`${name} must be host:port,host:port,... (entry ${index + 1} is not host:port)`);
    }
    return { host, port };
  });
}

function sentinelName(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new Error("REDIS_SENTINEL_NAME must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return value;
}
