import { ignoreError } from './connection.js';

/** The little of an ioredis `Redis` this watch needs. */
export interface WatchedIoRedis {
  readonly status?: string;
  connect(): Promise<unknown>;
  on(event: string, listener: (error: unknown) => void): unknown;
  off(event: string, listener: (error: unknown) => void): unknown;
}

/** ioredis's error when a connection attempt is called off. */
const connectionClosed = 'Connection is closed.';

/**
 * Keeps an ioredis client of Sentinels from ending for good in the middle of a failover; returns
 * what stops the watch.
 *
 * On each reconnect ioredis (5 and 6) asks a Sentinel for the master. If its failover detector hears
 * `+switch-master` while that question is still open (a Sentinel slow to answer), the detector calls
 * the attempt off and the client ends ("Connection is closed." while connecting, then `end`) instead
 * of retrying: every store call would be a 503 until the process restarted. In that one case the
 * client is started again. An application's own `disconnect()` or `quit()` still ends it: ioredis
 * keeps that error to itself while a client is being closed on purpose, and `quit()` ends through
 * `close`.
 */
export function reviveAfterCalledOffReconnect(client: WatchedIoRedis): () => void {
  let calledOff = false;
  const onError = (error: unknown) => {
    calledOff = client.status === 'connecting' && (error as Error | undefined)?.message === connectionClosed;
  };
  const onReady = () => {
    calledOff = false;
  };
  const onEnd = () => {
    if (!calledOff) return;
    calledOff = false;
    client.connect().catch(ignoreError); // its own retries take over from here
  };
  client.on('error', onError);
  client.on('ready', onReady);
  client.on('end', onEnd);
  return () => {
    client.off('error', onError);
    client.off('ready', onReady);
    client.off('end', onEnd);
  };
}
