import type { RedisConnection, SubscriberConnection, SubscriberEvents } from './connection.js';
import { nodePicker } from './pick-node.js';

/** The parts of a node-redis (v5+) client the store uses. */
export interface NodeRedisClient {
  sendCommand(args: readonly string[], options?: { timeout?: number }): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): NodeRedisClient;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  destroy(): unknown;
  on(event: string, listener: () => void): unknown;
  readonly options?: { readonly socket?: Readonly<Record<string, unknown>> } | undefined;
  /** True while connected: commands are then written at once. */
  readonly isReady?: boolean;
}

/** The parts of a node-redis (v5+) cluster the store uses. */
export interface NodeRedisCluster {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: readonly string[],
    options?: { timeout?: number },
  ): Promise<unknown>;
  readonly masters: readonly unknown[];
  nodeClient(node: unknown): Promise<NodeRedisClient>;
}

export function nodeRedisConnection(client: NodeRedisClient, timeoutMs: number): RedisConnection {
  return {
    kind: 'node-redis',
    // `timeout` drops a command still waiting to be written (the offline queue) once it is due. A ready
    // client writes at once, so there it would only cost an AbortSignal per command (about 8 us each,
    // ~10% of strict mode's server CPU); `0` is needed, as node-redis 6 otherwise applies its own
    // client-wide default. The store's own timer still bounds every call.
    send: (args) => client.sendCommand(args, { timeout: client.isReady === true ? 0 : timeoutMs }),
    openSubscriber: (channel, events) => subscribe(async () => client.duplicate(), channel, events),
  };
}

export function nodeRedisClusterConnection(cluster: NodeRedisCluster, timeoutMs: number): RedisConnection {
  const pick = nodePicker<unknown>();
  return {
    kind: 'node-redis-cluster',
    send: (args, routingKey) => cluster.sendCommand(routingKey, false, args, { timeout: timeoutMs }),
    // PUBLISH reaches every node of a Cluster, so one node's subscription hears all of it. The
    // connection gives up on a node that stays away, and the next one goes to a master picked afresh
    // from the cluster's current view (after a failover, the new master).
    openSubscriber: (channel, events) =>
      subscribe(
        async () => {
          const nodeClient = await cluster.nodeClient(pick(cluster.masters));
          return nodeClient.duplicate({
            socket: { ...nodeClient.options?.socket, reconnectStrategy: giveUpAfterFewRetries },
          });
        },
        channel,
        events,
      ),
  };
}

/** A subscriber's reconnection strategy: a node that stays away is given up on, so a new one is picked. */
export function giveUpAfterFewRetries(retries: number): number | false {
  return retries >= 3 ? false : 100 * 2 ** retries;
}

/**
 * A subscriber connection on the client `open` makes (not yet connected): `up` once the server has
 * confirmed the subscription, `down` while it reconnects, `failed` once it has given up.
 */
export function subscribe(
  open: () => Promise<NodeRedisClient>,
  channel: string,
  events: SubscriberEvents,
): SubscriberConnection {
  let closed = false;
  let subscribed = false;
  let connection: NodeRedisClient | undefined;
  const failed = () => {
    if (!closed) events.failed();
  };
  void (async () => {
    const sub = await open();
    connection = sub;
    if (closed) {
      sub.destroy();
      return;
    }
    // The error itself is not ours to log: it is reported as `down`, and the caller's client logs its own.
    sub.on('error', () => {
      if (!closed) events.down();
    });
    sub.on('reconnecting', () => {
      if (!closed) events.down();
    });
    // node-redis subscribes again before it reports `ready` after a reconnection.
    sub.on('ready', () => {
      if (subscribed && !closed) events.up();
    });
    sub.on('terminated', failed);
    sub.on('end', failed);
    await sub.connect();
    await sub.subscribe(channel, (message) => {
      if (!closed) events.message(message);
    });
    subscribed = true;
    if (!closed) events.up();
  })().catch(failed);
  return {
    close() {
      closed = true;
      try {
        connection?.destroy();
      } catch {
        // already gone
      }
    },
  };
}
