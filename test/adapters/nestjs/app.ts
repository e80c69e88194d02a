import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createSocketSessions } from 'authjwt/ws';
import { WebSocketServer } from 'ws';
import { AuthjwtService } from '../../../src/adapters/nestjs/index.js';

/** The two platforms Nest runs on. */
export const platforms = ['express', 'fastify'] as const;
export type Platform = (typeof platforms)[number];

export interface NestTestApp {
  readonly app: INestApplication;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts `module` on a platform, listening on a free loopback port, with `GET /ws` (a `ws` server on
 * the application's HTTP server, authenticated by `AuthjwtService.upgradeCredentials`) when asked.
 * Start-up errors reject rather than abort the process.
 */
export async function startNest(
  platform: Platform,
  module: Type,
  options: {
    logger?: LoggerService | false;
    sockets?: boolean;
    /** Runs before the application listens (global filters, pipes). */
    configure?: (app: INestApplication) => void;
  } = {},
): Promise<NestTestApp> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module, adapter, {
    logger: options.logger ?? false,
    abortOnError: false,
  });
  const server = app.getHttpServer() as Server;
  let closeSockets = () => {};
  if (options.sockets === true) {
    const authjwt = app.get(AuthjwtService);
    const sessions = createSocketSessions(authjwt.auth);
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (request.url !== '/ws') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        void sessions.accept(ws, {
          ...authjwt.upgradeCredentials(request),
          onAuthenticated: (context) => ws.send(JSON.stringify({ type: 'hello', subject: context.subject })),
        });
      });
    });
    closeSockets = () => sessions.close();
  }
  options.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      closeSockets();
      await app.close();
    },
  };
}
