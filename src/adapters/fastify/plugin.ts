import type { FastifyPluginAsync, FastifyReply, FastifySchema } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Auth, AuthContext } from '../../auth.js';
import {
  adaptGuards,
  type CookieMode,
  createHttpAuth,
  type ExternalGuardOptions,
  type GuardFactories,
  type GuardOptions,
  type HttpAuth,
  type HttpAuthOptions,
  type ProtectOptions,
} from '../../http/http-auth.js';
import type { TokenPair } from '../../sessions/types.js';
import { type AuthGuard, fastifyGuard } from './guards.js';
import { defaultOpenApiNames, markGuardedRoute, type OpenApiNames } from './openapi.js';

export type { ExternalGuardOptions, GuardOptions };

export interface AuthjwtFastifyOptions extends HttpAuthOptions {
  /** Path of the published JWKS, or `false` for none. Default `/.well-known/jwks.json`. */
  jwksPath?: string | false;
  /** Security scheme names used when marking guarded routes for OpenAPI. */
  openApi?: Partial<OpenApiNames>;
}

/**
 * The guards, as Fastify hooks. Use them as `onRequest` (or `preHandler`) of a route. Each factory
 * validates its options once and returns the same guard for the same demand, so calling it per route
 * costs nothing per request.
 */
export interface AuthjwtDecorator extends GuardFactories<AuthGuard> {
  readonly auth: Auth;
  /** The framework-free HTTP layer under these hooks (`authjwt/http`). */
  readonly http: HttpAuth;
  /**
   * Protect everything with exclusions, as a hook for the whole instance:
   * `fastify.addHook('onRequest', fastify.authjwt.protect({ except: ['/health', '/public/*'] }))`.
   */
  protect(options?: ProtectOptions): AuthGuard;
  /** Cookie mode: sets the access, refresh and CSRF cookies for a token pair. */
  setTokenCookies(reply: FastifyReply, pair: TokenPair): FastifyReply;
  /** Cookie mode: clears every cookie of ours. */
  clearTokenCookies(reply: FastifyReply): FastifyReply;
  /** Cookie mode's names and CSRF policy, for WebSocket upgrades and pages; `undefined` in header mode. */
  readonly cookies: CookieMode | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    authjwt: AuthjwtDecorator;
  }
  interface FastifyRequest {
    /** The verified token's context on guarded routes; `null` where no guard ran or none was sent. */
    auth: AuthContext | null;
  }
}

const plugin: FastifyPluginAsync<AuthjwtFastifyOptions> = async (fastify, options) => {
  const http = createHttpAuth(options);
  const names: OpenApiNames = { ...defaultOpenApiNames, ...options.openApi };

  fastify.decorateRequest('auth', null);
  fastify.decorate('authjwt', {
    auth: http.auth,
    http,
    cookies: http.cookies,
    setTokenCookies: (reply, pair) => reply.header('set-cookie', http.tokenCookies(pair)),
    clearTokenCookies: (reply) => reply.header('set-cookie', http.clearedCookies()),
    ...adaptGuards<AuthGuard>(http, (guard) => fastifyGuard(http, guard)),
    protect(protectOptions) {
      const { guard, isOpen } = http.protect(protectOptions);
      const hook = fastifyGuard(http, guard);
      return (request, reply, done) => {
        if (!isOpen(request.url)) return hook(request, reply, done);
        done();
        return undefined;
      };
    },
  } satisfies AuthjwtDecorator);

  fastify.addHook('onRoute', (route) => markGuardedRoute(route, names));

  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
  if (jwksPath !== false) {
    const schema = { tags: ['auth'], summary: 'Public verification keys (JWKS)' } as FastifySchema;
    fastify.get(jwksPath, { schema }, (_request, reply) => {
      const jwks = http.jwks();
      return reply.headers(jwks.headers).send(jwks.body);
    });
  }
};

/** The Fastify plugin. Register it once with `{ auth }`; it decorates `fastify.authjwt` and `request.auth`. */
export const authjwtFastify = fastifyPlugin(plugin, { fastify: '5.x', name: 'authjwt' });
