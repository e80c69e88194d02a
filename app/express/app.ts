import { createServer, type ServerResponse } from 'node:http';
import { authjwtExpress } from 'authjwt/express';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { WebSocketServer } from 'ws';
import type { AppConfig } from '../config.js';
import { createAppContext } from '../context.js';
import { errorAnswer } from '../errors.js';
import { guardOf } from '../handlers/guards.js';
import { type AppAnswer, type AppRoute, appRoutes, notFound } from '../handlers/index.js';
import { createAppSockets, maxSocketPayload } from '../handlers/ws.js';
import { createAppLogger } from '../logging.js';
import { readBody } from '../node/body.js';
import { checkParamLengths, checkPathDecodes, routePaths, routingPath } from '../node/paths.js';
import { type RequestLog, startRequestLog } from '../node/request-log.js';
import { nodeAppServer } from '../node/server.js';
import { compileValidation } from '../node/validation.js';
import { answerUpgradeOverHttp, writeAnswer } from '../node/write.js';
import type { AppServer } from '../server.js';

/** The request's log (request-log.ts), kept on the response for every later middleware. */
const requestLogs = new WeakMap<ServerResponse, RequestLog>();
const requestLogOf = (response: ServerResponse) => requestLogs.get(response) as RequestLog;

/**
 * The reference app on Express 5: the routes of app/handlers behind authjwt/express's middleware
 * guards, bodies read and validated by Fastify's rules (app/node), WebSockets with `ws` on the same
 * server. No OpenAPI document (Fastify only): /openapi.json and /docs are 404.
 */
export async function buildExpressApp(config: AppConfig): Promise<AppServer> {
  const log = createAppLogger(config.logLevel);
  const context = await createAppContext(config, log);
  // Bearer header and cookies (header first); cookie-authenticated unsafe requests need X-CSRF-Token.
  const authjwt = authjwtExpress({ auth: context.auth, cookies: true });

  const app = express();
  // As Fastify routes: `/ME` and `/me/` are not `/me`. No ETag (a 304 would answer a refused token's
  // request without its refusal), no X-Powered-By, and `trust proxy` off: the IP is the socket's.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('etag', false);
  app.disable('x-powered-by');

  app.use((request, response, next) => {
    const requestLog = startRequestLog(log, request);
    requestLogs.set(response, requestLog);
    response.once('finish', () => requestLog.completed(response.statusCode));
    checkPathDecodes(request.path);
    // Routed as Fastify routes it: `/m%65` is `/me` (Express matches the path as it came).
    const routed = routingPath(request.path);
    if (routed !== request.path) request.url = routed + (request.url.match(/[?#].*$/s)?.[0] ?? '');
    next();
  });

  const incoming =
    (path: string): RequestHandler =>
    (_request, response, next) => {
      requestLogOf(response).incoming(path);
      next();
    };

  function write(response: Response, answer: AppAnswer): void {
    if (answer.cookies === 'clear') authjwt.clearTokenCookies(response);
    else if (answer.cookies !== undefined) authjwt.setTokenCookies(response, answer.cookies.set);
    writeAnswer(response, answer);
  }

  /** A route's middlewares on one of its paths, where the parameters named in `empty` are empty. */
  function routeHandlers(route: AppRoute, empty: readonly string[]): RequestHandler[] {
    const validate = compileValidation(route.schema);
    const paramsOf = (request: Request) => {
      const params = { ...request.params } as Record<string, string>;
      for (const name of empty) params[name] = '';
      return params;
    };
    const handle: RequestHandler = async (request, response) => {
      const body = await readBody(request.method, request.headers, request);
      const params = paramsOf(request);
      validate(params, body);
      const answer = await route.handle({
        auth: request.auth ?? null,
        body,
        params,
        ip: request.socket.remoteAddress ?? '',
        userAgent: request.headers['user-agent'],
      });
      write(response, answer);
    };
    const first: RequestHandler = (request, response, next) => {
      requestLogOf(response).incoming(route.path);
      checkParamLengths(paramsOf(request));
      next();
    };
    return route.guard === undefined
      ? [first, handle]
      : [first, guardOf(authjwt, route.guard) as RequestHandler, handle];
  }

  for (const route of appRoutes(context)) {
    const method = route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : 'delete';
    for (const { path, empty } of routePaths(route.path)) app[method](path, ...routeHandlers(route, empty));
  }
  app.get('/.well-known/jwks.json', incoming('/.well-known/jwks.json'), authjwt.jwks);

  // Every other request, whatever its method: the contract's 404, which never echoes the URL. Its
  // body is read first, as Fastify reads it (a malformed JSON body is 400 even here).
  app.use(async (request, response) => {
    await readBody(request.method, request.headers, request, { routeFound: false });
    write(response, notFound('No such route'));
  });
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const answer = errorAnswer(error, (refused) => authjwt.http.errorResponse(refused));
    if (answer.unexpected) requestLogOf(response).log.error({ err: error }, 'unhandled error');
    writeAnswer(response, { status: answer.status, headers: answer.headers, json: answer.json });
  };
  app.use(onError);

  const server = createServer(app);
  const sockets = createAppSockets(context.auth, log);
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxSocketPayload });
  server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split(/[?#]/, 1)[0];
    if (request.method !== 'GET' || path !== '/ws') {
      answerUpgradeOverHttp(request, socket, app);
      return;
    }
    startRequestLog(log, request).incoming('/ws');
    wss.handleUpgrade(request, socket, head, (ws) => sockets.accept(ws, authjwt.upgradeCredentials(request)));
  });
  return nodeAppServer({ framework: 'express', server, context, sockets, wss, log });
}
