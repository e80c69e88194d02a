import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import { serve } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import type { AuthContext } from 'authjwt';
import { authjwtExpress } from 'authjwt/express';
import { authjwtFastify, readUpgradeCredentials } from 'authjwt/fastify';
import { authjwtHono, type HonoGuard } from 'authjwt/hono';
import {
  createHttpAuth,
  type HttpAuthOptions,
  nodeRequestReader,
  type UpgradeCredentials,
} from 'authjwt/http';
import { type ConformanceApp, runAdapterConformance } from 'authjwt/testing';
import { createSocketSessions, type SocketSessions, type WebSocketLike } from 'authjwt/ws';
import type express from 'express';
import Fastify from 'fastify';
import { type Env, type Handler, Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type GuardedHandler, guarded } from '../../examples/node-http/adapter.js';
import { expressVersions } from './express-versions.js';

/*
 * Issue 13, point 3: one conformance suite (authjwt/testing), run on every adapter over real HTTP.
 */

const api = { describe, it, expect, beforeEach, afterEach };
const subjectOf = (context: AuthContext | null) => ({ subject: context?.subject ?? null });
const ofAcme = (claims: Record<string, unknown>) => claims.tenant === 'acme';

/** The suite's `/ws`: authenticated by the adapter's upgrade credentials, greeted with the subject. */
function acceptSocket(
  sockets: SocketSessions,
  socket: WebSocketLike & WebSocket,
  credentials: UpgradeCredentials,
) {
  void sockets.accept(socket, {
    ...credentials,
    onAuthenticated: (context) => socket.send(JSON.stringify({ type: 'hello', subject: context.subject })),
  });
}

/** `/ws` with `ws` on a node:http server, as Express and plain node:http apps do it. */
function serveSockets(
  server: Server,
  sockets: SocketSessions,
  credentialsOf: (request: IncomingMessage) => UpgradeCredentials,
): void {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => acceptSocket(sockets, ws, credentialsOf(request)));
  });
}

/** Starts a node:http server on a free loopback port, as the suite wants an app; closing ends its sockets. */
async function listening(
  server: Server,
  sockets: SocketSessions,
): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      sockets.close();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const fastifyApp: ConformanceApp = async (options) => {
  const app = Fastify();
  await app.register(authjwtFastify, options);
  const { authjwt } = app;
  const reply = async (request: { auth: AuthContext | null }) => subjectOf(request.auth);
  app.get('/access', { onRequest: authjwt.requireAccess() }, reply);
  app.post('/access', { onRequest: authjwt.requireAccess() }, reply);
  app.get('/optional', { onRequest: authjwt.optionalAccess() }, reply);
  app.post('/refresh', { onRequest: authjwt.requireRefresh() }, reply);
  app.get('/fresh', { onRequest: authjwt.requireFresh() }, reply);
  app.get('/admin', { onRequest: authjwt.requireRoles('admin') }, reply);
  app.get('/cookie-only', { onRequest: authjwt.requireAccess({ from: 'cookie' }) }, reply);
  app.get('/scopes', { onRequest: authjwt.requireScopes('read:items', 'write:items') }, reply);
  app.get('/claims', { onRequest: authjwt.requireClaims(ofAcme) }, reply);
  app.get('/external', { onRequest: authjwt.requireExternal({ scopes: ['read:items'] }) }, reply);
  await app.register(websocket);
  const sockets = createSocketSessions(options.auth);
  app.addHook('onClose', async () => sockets.close());
  app.get('/ws', { websocket: true }, (socket, request) =>
    acceptSocket(sockets, socket, readUpgradeCredentials(request)),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
};

const nodeHttpApp: ConformanceApp = async (options: HttpAuthOptions) => {
  const http = createHttpAuth(options);
  const answer: GuardedHandler = (_request, response, context) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(subjectOf(context)));
  };
  const routes = new Map([
    ['GET /access', guarded(http, http.requireAccess(), answer)],
    ['POST /access', guarded(http, http.requireAccess(), answer)],
    ['GET /optional', guarded(http, http.optionalAccess(), answer)],
    ['POST /refresh', guarded(http, http.requireRefresh(), answer)],
    ['GET /fresh', guarded(http, http.requireFresh(), answer)],
    ['GET /admin', guarded(http, http.requireRoles('admin'), answer)],
    ['GET /cookie-only', guarded(http, http.requireAccess({ from: 'cookie' }), answer)],
    ['GET /scopes', guarded(http, http.requireScopes('read:items', 'write:items'), answer)],
    ['GET /claims', guarded(http, http.requireClaims(ofAcme), answer)],
    ['GET /external', guarded(http, http.requireExternal({ scopes: ['read:items'] }), answer)],
  ]);
  const server = createServer((request, response) => {
    const route = routes.get(`${request.method} ${request.url}`);
    if (route === undefined) {
      response.writeHead(404);
      response.end();
      return;
    }
    route(request, response).catch(() => {
      response.writeHead(500);
      response.end();
    });
  });
  const sockets = createSocketSessions(options.auth);
  serveSockets(server, sockets, (request) => http.upgradeCredentials(request, nodeRequestReader));
  return listening(server, sockets);
};

/** The Express app, on Express 5 or on Express 4 (the same adapter serves both). */
const expressApp =
  (createApp: typeof express): ConformanceApp =>
  async (options) => {
    const app = createApp();
    const authjwt = authjwtExpress(options);
    const reply: express.RequestHandler = (request, response) => {
      response.json(subjectOf(request.auth ?? null));
    };
    app.get('/access', authjwt.requireAccess(), reply);
    app.post('/access', authjwt.requireAccess(), reply);
    app.get('/optional', authjwt.optionalAccess(), reply);
    app.post('/refresh', authjwt.requireRefresh(), reply);
    app.get('/fresh', authjwt.requireFresh(), reply);
    app.get('/admin', authjwt.requireRoles('admin'), reply);
    app.get('/cookie-only', authjwt.requireAccess({ from: 'cookie' }), reply);
    app.get('/scopes', authjwt.requireScopes('read:items', 'write:items'), reply);
    app.get('/claims', authjwt.requireClaims(ofAcme), reply);
    app.get('/external', authjwt.requireExternal({ scopes: ['read:items'] }), reply);
    app.use(authjwt.errorHandler);
    const server = createServer(app);
    const sockets = createSocketSessions(options.auth);
    serveSockets(server, sockets, (request) => authjwt.upgradeCredentials(request));
    return listening(server, sockets);
  };

/**
 * The Hono app with each guard as middleware (`app.get(path, guard, handler)`), or as one handler
 * with the route's (`app.get(path, guard.handle(handler))`): both forms must conform.
 */
const honoApp =
  (form: 'middleware' | 'handle'): ConformanceApp =>
  async (options) => {
    const app = new Hono();
    const authjwt = authjwtHono(options);
    function route<E extends Env>(
      method: 'GET' | 'POST',
      path: string,
      guard: HonoGuard<E>,
      handler: Handler<E>,
    ) {
      if (form === 'middleware') app.on(method, path, guard as never, handler as never);
      else app.on(method, path, guard.handle(handler) as never);
    }
    // Typed Variables: behind a required guard `c.var.auth` is a context, never null (no `!`).
    route('GET', '/access', authjwt.requireAccess(), (c) => c.json({ subject: c.var.auth.subject }));
    route('POST', '/access', authjwt.requireAccess(), (c) => c.json({ subject: c.var.auth.subject }));
    route('GET', '/optional', authjwt.optionalAccess(), (c) => c.json(subjectOf(c.var.auth)));
    route('POST', '/refresh', authjwt.requireRefresh(), (c) => c.json(subjectOf(c.var.auth)));
    route('GET', '/fresh', authjwt.requireFresh(), (c) => c.json(subjectOf(c.var.auth)));
    route('GET', '/admin', authjwt.requireRoles('admin'), (c) => c.json(subjectOf(c.var.auth)));
    route('GET', '/cookie-only', authjwt.requireAccess({ from: 'cookie' }), (c) =>
      c.json(subjectOf(c.var.auth)),
    );
    route('GET', '/scopes', authjwt.requireScopes('read:items', 'write:items'), (c) =>
      c.json(subjectOf(c.var.auth)),
    );
    route('GET', '/claims', authjwt.requireClaims(ofAcme), (c) => c.json(subjectOf(c.var.auth)));
    route('GET', '/external', authjwt.requireExternal({ scopes: ['read:items'] }), (c) =>
      c.json({ subject: c.var.auth.subject }),
    );
    app.onError(authjwt.onError);
    const sockets = createSocketSessions(options.auth);
    const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
    app.get(
      '/ws',
      upgradeWebSocket((c) => {
        const credentials = authjwt.upgradeCredentials(c);
        return {
          onOpen(_event, ws) {
            if (ws.raw !== undefined) acceptSocket(sockets, ws.raw, credentials);
          },
        };
      }),
    );
    const { port, close } = await new Promise<{ port: number; close: () => Promise<void> }>((resolve) => {
      const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
        resolve({
          port: info.port,
          close: () => {
            sockets.close();
            return new Promise<void>((done) => server.close(() => done()));
          },
        }),
      );
      injectWebSocket(server);
    });
    return { url: `http://127.0.0.1:${port}`, close };
  };

runAdapterConformance('Fastify', fastifyApp, api);
runAdapterConformance('Hono 4 on @hono/node-server', honoApp('middleware'), api);
runAdapterConformance('Hono 4, guards as guard.handle(handler)', honoApp('handle'), api);
for (const [name, createApp] of expressVersions) runAdapterConformance(name, expressApp(createApp), api);
runAdapterConformance('node:http (examples/node-http, on authjwt/http alone)', nodeHttpApp, api);
