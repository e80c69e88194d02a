/**
 * The tiny Fastify apps behind each scenario, one per server process. Every token route is
 * `GET /me` answering `{ sub }`; every app has `POST /login` (the harness gets its tokens there,
 * from the server it loads) and the authjwt apps `POST /refresh`.
 */
import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import {
  type Auth,
  createAuth,
  createTokenService,
  isAuthError,
  memoryStore,
  type SessionOptions,
  type SessionStore,
} from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import { redisStore } from 'authjwt/redis';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createClient } from 'redis';
import type { ScenarioId, ServerConfig } from './scenarios.js';

/**
 * Round trips this server made to Redis (commands it sent, not those its Lua scripts ran), read by the
 * harness over IPC to show how many store calls a request costs.
 */
export const counters = { roundTrips: 0 };

export interface BenchApp {
  readonly app: FastifyInstance;
  /** Closes what the app opened besides its HTTP server (stores, Redis clients). */
  close(): Promise<void>;
}

interface LoginBody {
  /** The subject to log in; without it the server makes up a new one (the login scenario). */
  readonly user?: string;
}

const accessTtl = '15m';
let loginCounter = 0;

/** Subjects for logins that name none: a new user every time, unique across server processes. */
function nextSubject(body: unknown): string {
  const user = (body as LoginBody | null)?.user;
  return typeof user === 'string' ? user : `user-${process.pid}-${loginCounter++}`;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function newApp(): FastifyInstance {
  // No logger at all (the silent level still builds a logger per request), nothing else registered.
  return Fastify({ logger: false });
}

function connectRedis(config: ServerConfig) {
  if (config.redisUrl === undefined) throw new Error(`${config.scenario} needs Redis`);
  // As the reference app makes it: fail fast while disconnected instead of queueing.
  const client = createClient({ url: config.redisUrl, disableOfflineQueue: true });
  client.on('error', (error: Error) => process.stderr.write(`bench server: redis: ${error.message}\n`));
  // The Redis store sends everything through sendCommand; count each call (a subscriber made by
  // duplicate() is a new client and is not counted).
  const sendCommand = client.sendCommand;
  client.sendCommand = function (this: typeof client, args: never, options: never) {
    counters.roundTrips++;
    return sendCommand.call(this, args, options);
  } as typeof client.sendCommand;
  return client;
}

/**
 * (1) The ceiling: a route that does nothing with the token it is sent (a real one, so the request is
 * the same size). (1b) reads the header and nothing more.
 */
async function bare(config: ServerConfig, readsHeader: boolean): Promise<BenchApp> {
  const app = newApp();
  const tokens = createTokenService({ signingKey: { alg: 'HS256', key: config.secret }, accessTtl });
  if (readsHeader) {
    app.get('/me', async (request) => ({
      sub: request.headers.authorization === undefined ? 'nobody' : 'anonymous',
    }));
  } else {
    app.get('/me', async () => ({ sub: 'anonymous' }));
  }
  app.post('/login', async (request) => ({
    accessToken: tokens.signAccessToken({ subject: nextSubject(request.body), sessionId: randomUUID() })
      .token,
  }));
  return { app, close: async () => {} };
}

/** (2) and (3): @fastify/jwt as its README sets it up; (3) adds a Redis deny-list lookup per request. */
async function fastifyJwtApp(config: ServerConfig, withRedis: boolean): Promise<BenchApp> {
  const app = newApp();
  const redis = withRedis ? connectRedis(config) : undefined;
  await redis?.connect();
  await app.register(fastifyJwt, {
    secret: config.secret,
    sign: { algorithm: 'HS256', expiresIn: accessTtl },
    verify: { algorithms: ['HS256'] },
  });
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await request.jwtVerify();
    } catch (error) {
      return reply.send(error);
    }
    if (redis !== undefined) {
      const { jti } = request.user as { jti: string };
      counters.roundTrips++;
      if ((await redis.exists(`revoked:${jti}`)) === 1) {
        return reply.code(401).send({ error: 'token_revoked' });
      }
    }
    return undefined;
  };
  app.get('/me', { onRequest: authenticate }, async (request) => ({
    sub: (request.user as { sub: string }).sub,
  }));
  app.post('/login', async (request) => ({
    accessToken: app.jwt.sign({ sub: nextSubject(request.body), jti: randomUUID() }),
  }));
  return { app, close: async () => redis?.destroy() };
}

/** The authjwt session options of each scenario. */
function sessionsOf(scenario: ScenarioId): Record<string, unknown> {
  switch (scenario) {
    case 'authjwt-stateless':
    case 'authjwt-tokens':
    case 'authjwt-tokens-uncached':
      return { mode: 'stateless' };
    case 'authjwt-cached':
      return { revocation: 'cached' };
    case 'authjwt-strict':
      // No session limit: bench/many-sessions.ts gives one user 1,000 sessions on this server.
      return { revocation: 'strict', maxSessions: 0 };
    default:
      // login and refresh: the defaults with Redis.
      return {};
  }
}

/**
 * Whether this source tree validates `sessions.revocation` (that is, knows the option): a made-up value
 * must then be refused at construction. Without it, 'cached' and 'strict' both mean today's one round trip.
 */
export function revocationOptionKnown(secret: string): boolean {
  try {
    createAuth({
      signingKey: { alg: 'HS256', key: secret },
      sessions: { revocation: 'not-a-mode' } as unknown as SessionOptions,
    });
    return false;
  } catch {
    return true;
  }
}

/** (4) to (6), login and refresh: createAuth and the Fastify plugin, as the reference app uses them. */
async function authjwtApp(config: ServerConfig): Promise<BenchApp> {
  const app = newApp();
  const tokensOnly = config.scenario === 'authjwt-tokens' || config.scenario === 'authjwt-tokens-uncached';
  const redis = tokensOnly || config.scenario === 'authjwt-stateless' ? undefined : connectRedis(config);
  await redis?.connect();
  const store: SessionStore =
    redis === undefined ? memoryStore() : redisStore({ client: redis, prefix: config.prefix });
  // `revocation` goes through a cast: it is new in AuthOptions (issue 5) and may not be there yet.
  const auth: Auth = createAuth({
    signingKey: { alg: 'HS256', key: config.secret },
    accessTtl,
    store,
    sessions: sessionsOf(config.scenario) as SessionOptions,
    ...(config.scenario === 'authjwt-tokens-uncached' && { verifiedTokenCache: 0 }),
  });
  await app.register(authjwtFastify, { auth, jwksPath: false });

  if (tokensOnly) {
    // (4b, 4c) The token service alone, in a hook of the app's own: no session, no store.
    app.decorateRequest('subject', '');
    app.get(
      '/me',
      {
        onRequest: async (request, reply) => {
          try {
            (request as FastifyRequest & { subject: string }).subject = auth.tokens.verifyAccessToken(
              bearer(request),
            ).sub;
          } catch (error) {
            if (!isAuthError(error)) throw error;
            return reply.code(401).send({ error: error.code });
          }
          return undefined;
        },
      },
      async (request) => ({ sub: (request as FastifyRequest & { subject: string }).subject }),
    );
  } else {
    app.get('/me', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
      sub: request.auth?.subject,
    }));
  }
  app.post('/login', async (request) => {
    const pair = await auth.login({
      subject: nextSubject(request.body),
      ...(request.headers['user-agent'] !== undefined && { userAgent: request.headers['user-agent'] }),
      ip: request.ip,
    });
    return { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
  });
  app.get('/sessions', { onRequest: app.authjwt.requireAccess() }, async (request) => {
    const sessions = await auth.listSessions(request.auth?.subject ?? '', request.auth?.sessionId);
    return { count: sessions.length };
  });
  app.post('/refresh', { onRequest: app.authjwt.requireRefresh() }, async (request) => {
    const pair = await auth.refresh(request.auth);
    return { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
  });
  return {
    app,
    async close() {
      await auth.close();
      redis?.destroy();
    },
  };
}

export function buildBenchApp(config: ServerConfig): Promise<BenchApp> {
  switch (config.scenario) {
    case 'bare':
      return bare(config, false);
    case 'bare-header':
      return bare(config, true);
    case 'fastify-jwt':
      return fastifyJwtApp(config, false);
    case 'fastify-jwt-redis':
      return fastifyJwtApp(config, true);
    default:
      return authjwtApp(config);
  }
}
