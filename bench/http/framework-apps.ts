/**
 * The Express and Hono apps of the framework comparison (bench/frameworks.ts), the same five as their
 * Fastify counterparts in apps.ts: a bare route; the framework's usual JWT middleware (express-jwt,
 * hono/jwt) as its README sets it up; that middleware plus one Redis EXISTS of the session's key; the
 * authjwt adapter's `requireAccess()` guard on Redis sessions, cached and strict. Each framework with
 * its defaults, on a plain node:http server (Hono through @hono/node-server).
 */
import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { authjwtExpress } from 'authjwt/express';
import { type AuthEnv, authjwtHono } from 'authjwt/hono';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { expressjwt } from 'express-jwt';
import { type Context, type Handler, Hono, type MiddlewareHandler } from 'hono';
import { jwt } from 'hono/jwt';
import { type BenchApp, connectRedis, createBenchAuth, peerSessionAlive, portOf } from './apps.js';
import type { ServerConfig } from './scenarios.js';

function nodeBenchApp(server: Server, closeMore: () => Promise<unknown> = async () => {}): BenchApp {
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(portOf(server)));
      }),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeMore();
    },
  };
}

const sessionEnded = { error: 'session_ended' };

async function expressApp(config: ServerConfig): Promise<BenchApp> {
  const app = express();
  let closeMore = async () => {};
  if (config.scenario === 'bare') {
    app.get('/me', (_request, response) => {
      response.json({ sub: 'anonymous' });
    });
  } else if (config.scenario === 'middleware' || config.scenario === 'middleware-exists') {
    const redis = config.scenario === 'middleware-exists' ? await connectRedis(config) : undefined;
    closeMore = async () => redis?.destroy();
    // express-jwt puts the payload on req.auth, which authjwt/express's types claim for its context.
    const payload = (request: express.Request) => request.auth as unknown as { sub: string; sid?: unknown };
    const handlers: RequestHandler[] = [expressjwt({ secret: config.secret, algorithms: ['HS256'] })];
    if (redis !== undefined) {
      handlers.push(async (request, response, next) => {
        if (await peerSessionAlive(redis, config, payload(request).sid)) next();
        else response.status(401).json(sessionEnded);
      });
    }
    app.get('/me', ...handlers, (request, response) => {
      response.json({ sub: payload(request).sub });
    });
    // express-jwt hands its refusals to next(error), for the app's error handler (as its README shows).
    const refuse: ErrorRequestHandler = (error: { name?: string }, _request, response, next) => {
      if (error.name === 'UnauthorizedError') response.status(401).json({ error: 'invalid_token' });
      else next(error);
    };
    app.use(refuse);
  } else {
    const bench = await createBenchAuth(config);
    closeMore = bench.close;
    const authjwt = authjwtExpress({ auth: bench.auth });
    const reply: RequestHandler = (request, response) => {
      response.json({ sub: request.auth?.subject });
    };
    if (config.unguarded) app.get('/me', reply);
    else app.get('/me', authjwt.requireAccess(), reply);
  }
  return nodeBenchApp(createServer(app), closeMore);
}

async function honoApp(config: ServerConfig): Promise<BenchApp> {
  const app = new Hono();
  let closeMore = async () => {};
  if (config.scenario === 'bare') {
    app.get('/me', (c) => c.json({ sub: 'anonymous' }));
  } else if (config.scenario === 'middleware' || config.scenario === 'middleware-exists') {
    // authjwt's access tokens say `typ: at+jwt` (RFC 9068); hono/jwt takes `JWT` unless told.
    const verify = jwt({ secret: config.secret, alg: 'HS256', verification: { typ: 'at+jwt' } });
    const payload = (c: Context) => c.get('jwtPayload') as { sub: string; sid?: unknown };
    const reply: MiddlewareHandler = async (c) => c.json({ sub: payload(c).sub });
    if (config.scenario === 'middleware') {
      app.get('/me', verify, reply);
    } else {
      const redis = await connectRedis(config);
      closeMore = async () => redis.destroy();
      const exists: MiddlewareHandler = async (c, next) => {
        if (!(await peerSessionAlive(redis, config, payload(c).sid))) return c.json(sessionEnded, 401);
        await next();
        return undefined;
      };
      app.get('/me', verify, exists, reply);
    }
  } else {
    const bench = await createBenchAuth(config);
    closeMore = bench.close;
    const authjwt = authjwtHono({ auth: bench.auth });
    const guard = authjwt.requireAccess();
    const reply: Handler<AuthEnv> = (c) => c.json({ sub: c.get('auth').subject });
    // One handler, which Hono calls directly; the middleware form makes it compose a chain per request.
    // Unguarded, `auth` was never set: the same answer's shape, with no one in it.
    const unguarded: Handler<AuthEnv> = (c) => c.json({ sub: c.get('auth')?.subject });
    if (config.unguarded) app.get('/me', unguarded);
    else if (config.scenario === 'authjwt-cached-middleware') app.get('/me', guard, reply);
    else app.get('/me', guard.handle(reply));
  }
  return nodeBenchApp(createAdaptorServer({ fetch: app.fetch }) as Server, closeMore);
}

const served = [
  'bare',
  'middleware',
  'middleware-exists',
  'authjwt-cached',
  'authjwt-strict',
  'authjwt-cached-middleware',
];

export function buildFrameworkApp(
  config: ServerConfig & { framework: 'express' | 'hono' },
): Promise<BenchApp> {
  if (!served.includes(config.scenario)) {
    throw new Error(`${config.framework} serves ${served.join(', ')}, not ${config.scenario}`);
  }
  return config.framework === 'express' ? expressApp(config) : honoApp(config);
}
