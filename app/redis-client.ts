import type { EventEmitter } from 'node:events';
import type { RedisClientLike } from 'authjwt/redis';
import { createClient, createCluster, createSentinel } from 'redis';
import type { AppLog } from './logging.js';
import type { RedisConfig, RedisNode } from './redis-config.js';
import type { RedisScripts } from './users/redis-directory.js';

/** The app's Redis client of one topology: what the session store takes, and what the user directory runs its scripts on. */
export interface AppRedis {
  client: RedisClientLike;
  scripts: RedisScripts;
  close(): Promise<void>;
}

// Every command fails fast while its node is away (no offline queue): the deadlines then answer 503 at
// once instead of a queue replaying stale requests later. Reconnection is the client's, quick and forever.
const socket = {
  connectTimeout: 1000,
  reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
};
const nodeOptions = { disableOfflineQueue: true, socket };

/**
 * Connects the node-redis client `config` names, in the background: the app serves (503 where Redis
 * is needed) until Redis answers, then recovers by itself.
 */
export function connectRedis(config: RedisConfig, log: AppLog): AppRedis {
  switch (config.topology) {
    case 'standalone':
      return standalone(config.url, log);
    case 'cluster':
      return cluster(config.nodes, log);
    case 'sentinel':
      return sentinel(config.sentinels, config.name, log);
  }
}

function standalone(url: string, log: AppLog): AppRedis {
  const client = createClient({ url, ...nodeOptions });
  logErrors(client, log);
  client.connect().catch((error: unknown) => log.warn({ err: message(error) }, 'redis not reachable yet'));
  return { client, scripts: client, close: async () => client.destroy() };
}

/** Each script names its one key, by which the cluster routes it. */
function cluster(nodes: readonly RedisNode[], log: AppLog): AppRedis {
  const client = createCluster({
    rootNodes: nodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
    defaults: nodeOptions,
  });
  logErrors(client, log, { errors: ['error', 'node-error'], ready: 'connect' });
  const connecting = keepConnecting(() => client.connect(), log);
  return {
    client,
    scripts: client,
    async close() {
      connecting.stop();
      client.destroy();
    },
  };
}

/**
 * The master the Sentinels name, followed through failovers by node-redis. The directory's scripts are
 * refused at once while no master is known, as the session store's commands are: node-redis would hold
 * them, asking the Sentinels again and again, until a master is back.
 */
function sentinel(sentinels: readonly RedisNode[], name: string, log: AppLog): AppRedis {
  const client = createSentinel({
    name,
    sentinelRootNodes: [...sentinels],
    nodeClientOptions: nodeOptions,
    sentinelClientOptions: { socket: { connectTimeout: 1000 } },
    // The Sentinels announce a failover on pub/sub; a look every few seconds as well covers an
    // announcement missed while the client's own Sentinel connection was being replaced.
    scanInterval: 5000,
  });
  logErrors(client, log);
  const connecting = keepConnecting(() => client.connect(), log);
  return {
    client,
    scripts: {
      eval: (script, options) =>
        client.getMasterNode() === undefined
          ? Promise.reject(new Error('no Redis master known (failing over)'))
          : client.eval(script, options),
    },
    async close() {
      connecting.stop();
      await client.destroy();
    },
  };
}

/**
 * Logs each distinct failure once, not once per reconnection attempt. A cluster reports its nodes'
 * failures as `node-error` and its start as `connect`.
 */
function logErrors(
  client: EventEmitter,
  log: AppLog,
  events: { errors: readonly string[]; ready: string } = { errors: ['error'], ready: 'ready' },
): void {
  let last = '';
  for (const event of events.errors) {
    client.on(event, (error: unknown) => {
      const text = message(error);
      if (text !== last) log.warn({ err: text }, 'redis error');
      last = text;
    });
  }
  client.on(events.ready, () => {
    last = '';
    log.info('redis ready');
  });
}

/**
 * A Cluster or Sentinel client gives up its first connection when nothing answers (a standalone client
 * retries by itself): try again every second until it connects, or the app closes.
 */
function keepConnecting(connect: () => Promise<unknown>, log: AppLog): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = () => {
    connect().catch((error: unknown) => {
      if (stopped) return;
      log.warn({ err: message(error) }, 'redis not reachable yet');
      timer = setTimeout(attempt, 1000);
      timer.unref();
    });
  };
  attempt();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** node-redis's Sentinel client emits some errors as plain strings. */
function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
