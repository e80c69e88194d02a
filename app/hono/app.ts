import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import type { AuthContext } from 'authjwt';
import { authjwtHono } from 'authjwt/hono';
import { errorBody } from 'authjwt/http';
import { type Context, type Handler, Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { AppConfig } from '../config.js';
import { createAppContext } from '../context.js';
import { errorAnswer } from '../errors.js';
import { guardOf } from '../handlers/guards.js';
import { type AppAnswer, type AppRoute, appRoutes, notFound } from '../handlers/index.js';
import { createAppSockets, maxSocketPayload } from '../handlers/ws.js';
import { createAppLogger } from '../logging.js';
import { readBody } from '../node/body.js';
import { checkParamLengths, checkPathDecodes, hasDotSegment, routePaths } from '../node/paths.js';
import { type RequestLog, startRequestLog } from '../node/request-log.js';
import { nodeAppServer } from '../node/server.js';
import { compileValidation } from '../node/validation.js';
import { answerBody, answerUpgradeOverHttp, writeAnswer } from '../node/write.js';
import type { AppServer } from '../server.js';

type Env = {
  Bindings: HttpBindings;
  Variables: { auth: AuthContext | null; requestLog: RequestLog };
};

/**
 * The reference app on Hono 4 (@hono/node-server): the routes of app/handlers behind authjwt/hono's
 * middleware guards, bodies read and validated by Fastify's rules (app/node), WebSockets through
 * @hono/node-ws. No OpenAPI document (Fastify only): /openapi.json and /docs are 404.
 */
export async function buildHonoApp(config: AppConfig): Promise<AppServer> {
  const log = createAppLogger(config.logLevel);
  const context = await createAppContext(config, log);
  // Bearer header and cookies (header first); cookie-authenticated unsafe requests need X-CSRF-Token.
  const authjwt = authjwtHono({ auth: context.auth, cookies: true });

  // Strict (the default): `/me/` is not `/me`, as on Fastify.
  const app = new Hono<Env>({ strict: true });
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
  // @hono/node-ws makes its `ws` server with ws's 100 MiB frame limit; ws reads it at each upgrade.
  wss.options.maxPayload = maxSocketPayload;

  app.use(async (c, next) => {
    const requestLog = startRequestLog(log, c.env.incoming);
    c.set('requestLog', requestLog);
    await next();
    // Hono's own JSON answers (the adapter's refusals and JWKS) say `application/json` alone.
    if (c.res.headers.get('content-type') === 'application/json') {
      c.res.headers.set('content-type', 'application/json; charset=utf-8');
    }
    // Hono answers HEAD with the GET answer's headers, which do not all carry the length yet.
    if (c.req.method === 'HEAD' && !c.res.headers.has('content-length')) {
      // Measured first: cloning makes @hono/node-server's light Response a full one, with new headers.
      const length = (await c.res.clone().arrayBuffer()).byteLength;
      c.res.headers.set('content-length', String(length));
    }
    requestLog.completed(c.res.status);
  });
  app.use(async (c, next) => {
    const path = (c.env.incoming.url ?? '').split(/[?#]/, 1)[0] ?? '';
    checkPathDecodes(path);
    // Hono routes the URL its Request resolved (`/x/../me` is `/me`); Fastify, finding no route with
    // such a segment, answers 404.
    if (hasDotSegment(path)) return notFoundResponse(c);
    await next();
    return undefined;
  });

  const incoming =
    (path: string): MiddlewareHandler<Env> =>
    async (c, next) => {
      c.var.requestLog.incoming(path);
      await next();
    };

  function respond(c: Context<Env>, answer: AppAnswer): Response {
    if (answer.cookies === 'clear') authjwt.clearTokenCookies(c);
    else if (answer.cookies !== undefined) authjwt.setTokenCookies(c, answer.cookies.set);
    for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value);
    const content = answerBody(answer);
    if (content === undefined) return c.body(null, answer.status as StatusCode);
    return c.body(content.body, answer.status as ContentfulStatusCode, { 'content-type': content.type });
  }

  /** Errors of the app's own middlewares and handlers, in the contract's shape. */
  function errorResponse(error: unknown, c: Context<Env>): Response {
    const answer = errorAnswer(error, (refused) => authjwt.http.errorResponse(refused));
    if (answer.unexpected) c.var.requestLog.log.error({ err: error }, 'unhandled error');
    return respond(c, { status: answer.status, headers: answer.headers, json: answer.json });
  }

  /** The contract's 404, which never echoes the URL; the body is read first, as Fastify reads it. */
  async function notFoundResponse(c: Context<Env>): Promise<Response> {
    try {
      await readBody(c.req.method, c.env.incoming.headers, c.env.incoming, { routeFound: false });
    } catch (error) {
      return errorResponse(error, c);
    }
    return respond(c, notFound('No such route'));
  }

  /** A route's middlewares on one of its paths, where the parameters named in `empty` are empty. */
  function routeHandlers(route: AppRoute, empty: readonly string[]): MiddlewareHandler<Env>[] {
    const validate = compileValidation(route.schema);
    const paramsOf = (c: Context<Env>) => {
      const params = { ...c.req.param() } as Record<string, string>;
      for (const name of empty) params[name] = '';
      return params;
    };
    const first: MiddlewareHandler<Env> = async (c, next) => {
      c.var.requestLog.incoming(route.path);
      checkParamLengths(paramsOf(c));
      await next();
    };
    const handle: MiddlewareHandler<Env> = async (c) => {
      const request = c.env.incoming;
      const body = await readBody(c.req.method, request.headers, request);
      const params = paramsOf(c);
      validate(params, body);
      const answer = await route.handle({
        auth: c.get('auth') ?? null,
        body,
        params,
        ip: request.socket.remoteAddress ?? '',
        userAgent: request.headers['user-agent'],
      });
      return respond(c, answer);
    };
    if (route.guard === undefined) return [first, handle];
    const guard = guardOf(authjwt, route.guard) as unknown as MiddlewareHandler<Env>;
    return [first, guard, handle];
  }

  for (const route of appRoutes(context)) {
    for (const { path, empty } of routePaths(route.path)) {
      app.on(route.method, [path], ...routeHandlers(route, empty));
    }
  }
  app.get(
    '/.well-known/jwks.json',
    incoming('/.well-known/jwks.json'),
    authjwt.jwks as unknown as Handler<Env>,
  );

  const sockets = createAppSockets(context.auth, log);
  app.get(
    '/ws',
    incoming('/ws'),
    // A GET without an upgrade goes on to the 404 below.
    upgradeWebSocket((c) => {
      const credentials = authjwt.upgradeCredentials(c);
      return {
        onOpen(_event, ws) {
          if (ws.raw !== undefined) sockets.accept(ws.raw, credentials);
        },
      };
    }),
  );

  // Every other request, whatever its method.
  app.notFound(notFoundResponse);
  app.onError(errorResponse);

  const listener = getRequestListener(app.fetch, {
    // Whatever @hono/node-server still cannot make a Request of (the Host is seen to below).
    errorHandler: () => {
      const body = JSON.stringify(errorBody(400, 'bad_request', 'Bad request'));
      return new Response(body, {
        status: 400,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    },
  });
  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const target = request.url ?? '';
    // `OPTIONS *`, or a backslash in the path: no Request can be made of it, and no route of
    // Fastify's takes it, so 404 as there. (An absolute URL is routed by its path, as there.)
    const routable = target.startsWith('/') || /^https?:\/\//.test(target);
    if (!routable || (target.split('?', 1)[0] ?? '').includes('\\')) {
      const requestLog = startRequestLog(log, request);
      response.once('finish', () => requestLog.completed(response.statusCode));
      writeAnswer(response, notFound('No such route'));
      return;
    }
    // @hono/node-server builds the Request's URL from the Host header and refuses (400) one that
    // forms no URL; Fastify and Express route such a request by its path. The URL gets a stand-in
    // host; the Host header the guards compare an Origin with (read from the raw headers) stays.
    if (target.startsWith('/') && !hostFormsUrl(request.headers.host)) {
      request.headers.host = 'invalid.invalid';
    }
    void listener(request, response);
  }
  const server = createServer(handleRequest);
  // @hono/node-ws takes the upgrades of GET /ws; any other is answered as the HTTP request it is.
  const upgrades = new EventEmitter();
  injectWebSocket(upgrades as Server);
  server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split(/[?#]/, 1)[0];
    if (request.method === 'GET' && path === '/ws') upgrades.emit('upgrade', request, socket, head);
    else answerUpgradeOverHttp(request, socket, handleRequest);
  });
  return nodeAppServer({ framework: 'hono', server, context, sockets, wss, log });
}

/** Whether @hono/node-server can make a URL of this Host header (its own test, in request.js). */
function hostFormsUrl(host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  try {
    const { hostname } = new URL(`http://${host}/`);
    return hostname.length === host.length || hostname === host.replace(/:\d+$/, '');
  } catch {
    return false;
  }
}
