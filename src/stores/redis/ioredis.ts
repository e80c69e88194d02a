import {
  ignoreError,
  type RedisConnection,
  type SubscriberConnection,
  type SubscriberEvents,
} from './connection.js';
import { reviveAfterCalledOffReconnect } from './ioredis-sentinel-revival.js';
import { nodePicker } from './pick-node.js';

/** The parts of an ioredis (v5+) `Redis` or `Cluster` the store uses. */
export interface IoRedisClient {
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(override?: Record<string, unknown>): IoRedisClient;
  connect(): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: string[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  readonly status?: string;
  readonly isCluster: boolean;
  nodes?(role: 'master'): IoRedisClient[];
  /** A `Redis` made with `sentinels` finds its master through them. */
  readonly options?: { readonly sentinels?: unknown } | undefined;
}

export function ioredisConnection(client: IoRedisClient): RedisConnection {
  const cluster = client.isCluster;
  const pick = nodePicker<IoRedisClient>();
  const release = viaSentinels(client) ? reviveAfterCalledOffReconnect(client) : undefined;
  return {
    kind: cluster ? 'ioredis-cluster' : 'ioredis',
    ...(release !== undefined && { release }),
    // ioredis routes a Cluster command by the keys it finds in it (EVALSHA's numkeys included).
    send: ([command = 'PING', ...args]) => client.call(command, ...args),
    openSubscriber: (channel, events) =>
      cluster
        ? // PUBLISH reaches every node of a Cluster, so one master's subscription hears all of it; a
          // node that stays away is given up on and the next connection picks a master afresh.
          subscribe(
            () => {
              const node = pick(client.nodes?.('master') ?? []);
              return node.duplicate({ ...subscriberOptions, retryStrategy: giveUpAfterFewRetries });
            },
            channel,
            events,
          )
        : subscribe(
            () => client.duplicate(viaSentinels(client) ? sentinelSubscriberOptions : subscriberOptions),
            channel,
            events,
          ),
  };
}

// We subscribe on every `ready` ourselves, so that `up` means the server has confirmed it.
const subscriberOptions = { lazyConnect: true, autoResubscribe: false };

/**
 * Through Sentinels, the subscriber also listens for their `+switch-master` and reconnects (to the new
 * master) when it comes: a master that froze rather than died keeps its connections open and silent,
 * and a subscriber left on it would stay `up` while revocations are published elsewhere.
 */
const sentinelSubscriberOptions = { ...subscriberOptions, failoverDetector: true };

function viaSentinels(client: IoRedisClient): boolean {
  const sentinels = client.options?.sentinels;
  return Array.isArray(sentinels) && sentinels.length > 0;
}

function giveUpAfterFewRetries(times: number): number | null {
  return times > 3 ? null : 100 * 2 ** (times - 1);
}

function subscribe(
  open: () => IoRedisClient,
  channel: string,
  events: SubscriberEvents,
): SubscriberConnection {
  let closed = false;
  let sub: IoRedisClient;
  try {
    sub = open();
  } catch {
    queueMicrotask(() => {
      if (!closed) events.failed();
    });
    return {
      close() {
        closed = true;
      },
    };
  }
  const down = () => {
    if (!closed) events.down();
  };
  sub.on('error', ignoreError);
  sub.on('close', down);
  sub.on('reconnecting', down);
  sub.on('end', () => {
    if (!closed) events.failed();
  });
  sub.on('ready', () => {
    sub.subscribe(channel).then(() => {
      if (!closed) events.up();
    }, ignoreError);
  });
  sub.on('message', (from, message) => {
    if (!closed && from === channel && message !== undefined) events.message(message);
  });
  // A refused first connection rejects here while ioredis keeps retrying; `ready` drives the rest.
  sub.connect().catch(ignoreError);
  return {
    close() {
      closed = true;
      sub.disconnect();
    },
  };
}
