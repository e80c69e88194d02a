import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { authjwtFastify, openApiSecuritySchemes, readUpgradeCredentials } from 'authjwt/fastify';
import { errorBody } from 'authjwt/http';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifySchema,
} from 'fastify';
import type { AppConfig } from '../config.js';
import { createAppContext } from '../context.js';
import { createAppErrorHandler } from '../error-handler.js';
import { guardOf } from '../handlers/guards.js';
import { type AppAnswer, type AppRoute, appRoutes, notFound } from '../handlers/index.js';
import { createAppSockets, maxSocketPayload } from '../handlers/ws.js';
import { appLoggerOptions } from '../logging.js';
import { bodyLimit } from '../node/body.js';
import { answerClientError } from '../node/client-error.js';

/**
 * The reference app on Fastify 5 (the default): the routes of app/handlers with the adapter's guards as
 * `onRequest` hooks and their schemas for validation and the OpenAPI document (/openapi.json, /docs),
 * the WebSocket through @fastify/websocket. Listening is the caller's job.
 */
export async function buildFastifyApp(config: AppConfig): Promise<FastifyInstance> {
  const app = Fastify({
    // No token, CSRF value, password or session id in any line, at any level (see logging.ts).
    logger: appLoggerOptions(config.logLevel),
    // Strict bodies: no type coercion, so `{"username": 1}` is a 400, not the user "1".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    bodyLimit,
    // What Fastify answers itself in its own shape, quoting the path, is answered in the contract's:
    // a path that does not decode (400), a parameter too long for the router (414)...
    frameworkErrors(error, _request, reply) {
      const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
      const body =
        status === 500
          ? errorBody(500, 'internal_error', 'Internal Server Error')
          : errorBody(status, 'bad_request', 'Bad request');
      (reply as FastifyReply).code(status).send(body);
    },
    // ...and a request Node's parser refuses (Fastify's default answers in its own shape too).
    clientErrorHandler: (error, socket) => answerClientError(error, socket, app.log),
  });

  const context = await createAppContext(config, app.log);
  app.addHook('onClose', async () => context.close());

  // An upgrade request answered over HTTP (a 404 anywhere but /ws, or a refusal) came through
  // @fastify/websocket on a socket Node's HTTP server no longer manages: nothing would ever close it,
  // nor let the app close. Closed once answered, as Express and Hono close theirs.
  app.addHook('onResponse', async (request) => {
    if ((request.raw as { upgrade?: boolean }).upgrade === true) request.raw.socket.destroySoon();
  });
  app.setErrorHandler(createAppErrorHandler());
  // Fastify's own 404 logs and echoes the raw URL, query string included (`/x?access_token=...`).
  app.setNotFoundHandler((_request, reply) => send(reply, notFound('No such route')));
  await app.register(swagger, {
    openapi: {
      info: { title: 'authjwt reference app', version: '1.0.0' },
      components: { securitySchemes: openApiSecuritySchemes({ accessCookie: '__Host-access' }) },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Bearer header and cookies (header first); cookie-authenticated unsafe requests need X-CSRF-Token.
  // It also serves the JWKS at /.well-known/jwks.json.
  await app.register(authjwtFastify, { auth: context.auth, cookies: true });

  function send(reply: FastifyReply, answer: AppAnswer) {
    reply.code(answer.status);
    if (answer.headers !== undefined) reply.headers(answer.headers);
    if (answer.cookies === 'clear') app.authjwt.clearTokenCookies(reply);
    else if (answer.cookies !== undefined) app.authjwt.setTokenCookies(reply, answer.cookies.set);
    if (answer.json !== undefined) return reply.send(answer.json);
    if (answer.text !== undefined) return reply.type(answer.text.type).send(answer.text.body);
    return reply.send();
  }

  const routesPlugin: FastifyPluginAsync = async (routes) => {
    for (const route of appRoutes(context) as AppRoute<unknown, Record<string, string>>[]) {
      routes.route({
        method: route.method,
        url: route.path,
        ...(route.guard !== undefined && { onRequest: guardOf(routes.authjwt, route.guard) }),
        schema: route.schema as FastifySchema,
        handler: async (request, reply) =>
          send(
            reply,
            await route.handle({
              auth: request.auth,
              body: request.body,
              params: request.params as Record<string, string>,
              ip: request.ip,
              userAgent: request.headers['user-agent'],
            }),
          ),
      });
    }
    routes.get('/openapi.json', { schema: { hide: true } as FastifySchema }, async () => app.swagger());
  };
  await app.register(routesPlugin);

  const wsPlugin: FastifyPluginAsync = async (wsRoutes) => {
    const sockets = createAppSockets(context.auth, app.log);
    // Registered here, so only this plugin's routes can be upgraded.
    await wsRoutes.register(websocket, {
      options: { maxPayload: maxSocketPayload },
      // On closing, every socket is told 1001 (going away), as on Express and Hono; the plugin's own
      // would close them without a code.
      preClose(done) {
        sockets.close();
        for (const client of wsRoutes.websocketServer.clients) client.close(1001);
        wsRoutes.websocketServer.close();
        done();
      },
    });
    wsRoutes.addHook('onClose', async () => sockets.close());
    wsRoutes.route({
      method: 'GET',
      url: '/ws',
      schema: { hide: true } as FastifySchema,
      // A GET without an upgrade: the contract's 404 (@fastify/websocket's own is an empty body).
      handler: (_request, reply) => send(reply, notFound('No such route')),
      wsHandler: (socket, request) => sockets.accept(socket, readUpgradeCredentials(request)),
    });
  };
  await app.register(wsPlugin);
  return app;
}
