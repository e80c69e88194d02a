import { Redis } from 'ioredis';
import type { SentinelGroup } from './redis-sentinel.js';
import { waitFor } from './redis-server.js';

/**
 * An ioredis client of the group's master through its Sentinels, configured as redisStore's
 * documentation recommends (fail fast while disconnected; reconnect when the Sentinels announce a
 * failover, which a frozen master's silent connection would never show), ready to use.
 */
export async function connectIoredisSentinel(group: SentinelGroup, failoverDetector = true): Promise<Redis> {
  const client = new Redis({
    sentinels: [...group.sentinels],
    name: group.name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 500),
    failoverDetector,
  });
  client.on('error', () => {});
  await waitFor(() => client.status === 'ready', 10_000);
  return client;
}
