/**
 * The tiny Fastify apps behind each scenario, one per server process, and the parts the Express and
 * Hono apps (framework-apps.ts) share with them. Every token route is `GET /me` answering `{ sub }`.
 * The harness logs the users in itself (bench/http/tokens.ts) on the store every authjwt server of the
 * run shares, so every server checks the same tokens; the authjwt apps also have `POST /login` and
 * `POST /refresh` (the login and refresh scenarios, bench/many-sessions.ts).
 */
import type { Server } from 'node:http';
import fastifyJwt from '@fastify/jwt';
import { type Auth, createAuth, createTokenService, isAuthError, type SessionOptions } from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import { redisStore } from 'authjwt/redis';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createClient } from 'redis';
import { peerSessionKey, type ScenarioId, type ServerConfig } from './scenarios.js';

/**
 * Round trips this server made to Redis (commands it sent, not those its Lua scripts ran), read by the
 * harness over IPC to show how many store calls a request costs.
 */
export const counters = { roundTrips: 0 };

export interface BenchApp {
  /** Listens on a free 127.0.0.1 port; resolves to the port. */
  listen(): Promise<number>;
  /** Closes the HTTP server, then what the app opened besides (stores, Redis clients). */
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

export function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function fastifyBenchApp(app: FastifyInstance, closeMore: () => Promise<unknown> = async () => {}): BenchApp {
  return {
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      return portOf(app.server);
    },
    async close() {
      await app.close();
      await closeMore();
    },
  };
}

function newApp(): FastifyInstance {
  // No logger at all (the silent level still builds a logger per request), nothing else registered.
  return Fastify({ logger: false });
}

// As the reference app makes it: fail fast while disconnected instead of queueing.
const newRedisClient = (url: string) => createClient({ url, disableOfflineQueue: true });
export type RedisClient = ReturnType<typeof newRedisClient>;

export async function connectRedis(config: ServerConfig): Promise<RedisClient> {
  if (config.redisUrl === undefined) throw new Error(`${config.scenario} needs Redis`);
  const client = newRedisClient(config.redisUrl);
  client.on('error', (error: Error) => process.stderr.write(`bench server: redis: ${error.message}\n`));
  // The Redis store sends everything through sendCommand; count each call (a subscriber made by
  // duplicate() is a new client and is not counted).
  const sendCommand = client.sendCommand;
  client.sendCommand = function (this: typeof client, args: never, options: never) {
    counters.roundTrips++;
    return sendCommand.call(this, args, options);
  } as typeof client.sendCommand;
  await client.connect();
  return client;
}

/** The peers' hand-made revocation check: one EXISTS of the session's key per request. */
export async function peerSessionAlive(
  redis: RedisClient,
  config: ServerConfig,
  sessionId: unknown,
): Promise<boolean> {
  if (typeof sessionId !== 'string') return false;
  counters.roundTrips++;
  return (await redis.exists(peerSessionKey(config.prefix, sessionId))) === 1;
}

/**
 * (1) The ceiling: a route that does nothing with the token it is sent (a real one, so the request is
 * the same size). (1b) reads the header and nothing more.
 */
function bare(readsHeader: boolean): BenchApp {
  const app = newApp();
  if (readsHeader) {
    app.get('/me', async (request) => ({
      sub: request.headers.authorization === undefined ? 'nobody' : 'anonymous',
    }));
  } else {
    app.get('/me', async () => ({ sub: 'anonymous' }));
  }
  return fastifyBenchApp(app);
}

/** (2) and (3): @fastify/jwt as its README sets it up; (3) adds the EXISTS of the session's key. */
async function fastifyJwtApp(config: ServerConfig, withExists: boolean): Promise<BenchApp> {
  const app = newApp();
  const redis = withExists ? await connectRedis(config) : undefined;
  await app.register(fastifyJwt, { secret: config.secret, verify: { algorithms: ['HS256'] } });
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await request.jwtVerify();
    } catch (error) {
      return reply.send(error);
    }
    if (
      redis !== undefined &&
      !(await peerSessionAlive(redis, config, (request.user as { sid?: unknown }).sid))
    ) {
      return reply.code(401).send({ error: 'session_ended' });
    }
    return undefined;
  };
  app.get('/me', { onRequest: authenticate }, async (request) => ({
    sub: (request.user as { sub: string }).sub,
  }));
  return fastifyBenchApp(app, async () => redis?.destroy());
}

/** The authjwt session options of each scenario. */
function sessionsOf(scenario: ScenarioId): Record<string, unknown> {
  switch (scenario) {
    case 'authjwt-cached':
    case 'authjwt-cached-middleware':
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

/** createAuth as the reference app calls it, on the run's Redis store, with the scenario's session options. */
export async function createBenchAuth(config: ServerConfig): Promise<{ auth: Auth; close(): Promise<void> }> {
  const redis = await connectRedis(config);
  // `revocation` goes through a cast: it is new in AuthOptions (issue 5) and may not be there yet.
  const auth: Auth = createAuth({
    signingKey: { alg: 'HS256', key: config.secret },
    accessTtl,
    store: redisStore({ client: redis, prefix: config.prefix }),
    sessions: sessionsOf(config.scenario) as SessionOptions,
  });
  return {
    auth,
    async close() {
      await auth.close();
      redis.destroy();
    },
  };
}

/** (4b, 4c) The token service alone, in a hook of the app's own: no sessions, no store. */
function tokensOnlyApp(config: ServerConfig): BenchApp {
  const app = newApp();
  const tokens = createTokenService({
    signingKey: { alg: 'HS256', key: config.secret },
    accessTtl,
    ...(config.scenario === 'authjwt-tokens-uncached' && { verifiedTokenCache: 0 }),
  });
  app.decorateRequest('subject', '');
  app.get(
    '/me',
    {
      onRequest: async (request, reply) => {
        try {
          (request as FastifyRequest & { subject: string }).subject = tokens.verifyAccessToken(
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
  return fastifyBenchApp(app);
}

/** (5), (6), login and refresh: createAuth and the Fastify plugin, as the reference app uses them. */
async function authjwtApp(config: ServerConfig): Promise<BenchApp> {
  const app = newApp();
  const { auth, close } = await createBenchAuth(config);
  await app.register(authjwtFastify, { auth, jwksPath: false });
  app.get('/me', config.unguarded ? {} : { onRequest: app.authjwt.requireAccess() }, async (request) => ({
    sub: request.auth?.subject,
  }));
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
  return fastifyBenchApp(app, close);
}

export function buildFastifyApp(config: ServerConfig): Promise<BenchApp> {
  switch (config.scenario) {
    case 'bare':
      return Promise.resolve(bare(false));
    case 'bare-header':
      return Promise.resolve(bare(true));
    case 'middleware':
      return fastifyJwtApp(config, false);
    case 'middleware-exists':
      return fastifyJwtApp(config, true);
    case 'authjwt-tokens':
    case 'authjwt-tokens-uncached':
      return Promise.resolve(tokensOnlyApp(config));
    default:
      return authjwtApp(config);
  }
}
