import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { Framework } from '../config.js';
import type { AppContext } from '../context.js';
import type { AppSockets } from '../handlers/ws.js';
import type { AppServer } from '../server.js';
import { answerClientError } from './client-error.js';

/**
 * The life of the app on a node:http server (Express and Hono): its parser's refusals answered in
 * the contract's shape, listening, and closing in Fastify's order (sockets, server, then the auth
 * instance and the store).
 */
export function nodeAppServer(parts: {
  framework: Framework;
  server: Server;
  context: AppContext;
  sockets: AppSockets;
  wss: WebSocketServer;
  log: Logger;
}): AppServer {
  const { framework, server, context, sockets, wss, log } = parts;
  server.on('clientError', (error, socket) => answerClientError(error, socket, log));
  let closing: Promise<void> | undefined;
  return {
    framework,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const url = urlOf(server.address() as AddressInfo);
          log.info(`Server listening at ${url}`);
          resolve(url);
        });
      });
    },
    close() {
      closing ??= (async () => {
        sockets.close();
        // Sockets still upgrading or never authenticated are the WebSocket server's only.
        for (const client of wss.clients) client.close(1001);
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await context.close();
      })();
      return closing;
    },
  };
}

function urlOf({ address, family, port }: AddressInfo): string {
  return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
}
