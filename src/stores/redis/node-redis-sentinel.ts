import type { RedisConnection, SubscriberConnection, SubscriberEvents } from './connection.js';
import { giveUpAfterFewRetries, type NodeRedisClient, subscribe } from './node-redis.js';

/** The parts of a node-redis (v5+) Sentinel client (`createSentinel`) the store uses. */
export interface NodeRedisSentinel {
  sendCommand(
    isReadonly: boolean | undefined,
    args: readonly string[],
    options?: { timeout?: number },
  ): Promise<unknown>;
  /** The master it has a ready connection to; `undefined` while it has none (starting, failing over). */
  getMasterNode(): { host: string; port: number } | undefined;
  /** Runs `fn` with its connection to the master: what every command node-redis generates goes through. */
  _execute<T>(isReadonly: boolean | undefined, fn: (client: NodeRedisClient) => Promise<T>): Promise<T>;
  on(event: 'topology-change', listener: (change: { type: string }) => void): unknown;
  off(event: 'topology-change', listener: (change: { type: string }) => void): unknown;
}

/**
 * The store on a node-redis Sentinel client, which finds the master through the Sentinels and
 * reconnects to the new one after a failover.
 *
 * Commands: every one goes to the master, reads included (`isReadonly: false`), since a replica may
 * not have a revocation yet. While the client has no ready master connection (at start, or from the
 * master's loss until the Sentinels have promoted another and the client has reconnected) a command
 * is refused at once: the client itself would wait for the new master, re-asking the Sentinels in a
 * loop, and queue every request of the outage behind it. Refused, the request is a 503 now and leaves
 * nothing behind to run late.
 *
 * Subscriber: a plain connection of the store's own to the current master (a duplicate of the
 * client's master connection, with its options). After a failover revocations are published on the
 * new master, which a subscriber left on the old one (dead, or frozen with its connection open and
 * silent) never hears: so it is given up (`failed`) as soon as the client reports that the master
 * changed, or when its master stays away, and the revocation channel opens a new one on the master of
 * the moment. `_execute` is how node-redis's own commands reach the master connection; it is the only
 * way to its host and options.
 */
export function nodeRedisSentinelConnection(sentinel: NodeRedisSentinel): RedisConnection {
  return {
    kind: 'node-redis-sentinel',
    send: (args) =>
      sentinel.getMasterNode() === undefined
        ? Promise.reject(new Error('no Redis master known to the Sentinel client (failing over)'))
        : // A ready master connection writes at once: no per-command timer needed (see node-redis.ts).
          sentinel.sendCommand(false, args, { timeout: 0 }),
    openSubscriber: (channel, events) => subscribeOnMaster(sentinel, channel, events),
  };
}

function subscribeOnMaster(
  sentinel: NodeRedisSentinel,
  channel: string,
  events: SubscriberEvents,
): SubscriberConnection {
  let closed = false;
  let gaveUp = false;
  const giveUp = () => {
    if (closed || gaveUp) return;
    gaveUp = true;
    events.failed();
  };
  const onTopologyChange = (change: { type: string }) => {
    if (change.type === 'MASTER_CHANGE') giveUp();
  };
  sentinel.on('topology-change', onTopologyChange);
  let connection: SubscriberConnection | undefined;
  if (sentinel.getMasterNode() === undefined) {
    // No master to subscribe on yet: the channel retries with backoff.
    queueMicrotask(giveUp);
  } else {
    connection = subscribe(
      () =>
        sentinel._execute(false, async (master) =>
          master.duplicate({
            socket: { ...master.options?.socket, reconnectStrategy: giveUpAfterFewRetries },
          }),
        ),
      channel,
      { ...events, failed: giveUp },
    );
  }
  return {
    close() {
      closed = true;
      sentinel.off('topology-change', onTopologyChange);
      connection?.close();
    },
  };
}
