import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a Redis server that can silently stop forwarding to its subscriber
 * connections: no reset, no close, the sockets stay open and nothing arrives, as through a frozen
 * middlebox or a half-open TCP path. Other connections (commands) pass untouched. A connection counts
 * as a subscriber once it has sent SUBSCRIBE.
 */
export interface FreezingProxy {
  readonly port: number;
  readonly url: string;
  /** From now on, what Redis sends to subscriber connections is dropped. */
  freezeSubscribers(): void;
  /** Forwards to them again. */
  thaw(): void;
  close(): Promise<void>;
}

export async function startFreezingProxy(targetPort: number): Promise<FreezingProxy> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    let subscriber = false;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk) => {
      if (chunk.includes('SUBSCRIBE') || chunk.includes('subscribe')) subscriber = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (subscriber && frozen) return;
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    url: `redis://127.0.0.1:${address.port}`,
    freezeSubscribers() {
      frozen = true;
    },
    thaw() {
      frozen = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
