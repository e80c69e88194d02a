import type { FastifyPluginAsync, FastifyReply, FastifySchema } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Auth, AuthContext } from '../../auth.js';
import type { HttpGuard } from '../../http/guard.js';
import {
  type CookieMode,
  createHttpAuth,
  type GuardOptions,
  type HttpAuth,
  type HttpAuthOptions,
} from '../../http/http-auth.js';
import type { TokenPair } from '../../sessions/types.js';
import { type AuthGuard, fastifyGuard } from './guards.js';
import { defaultOpenApiNames, markGuardedRoute, type OpenApiNames } from './openapi.js';

export type { GuardOptions };

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
export interface AuthjwtDecorator {
  readonly auth: Auth;
  /** The framework-free HTTP layer under these hooks (`authjwt/http`). */
  readonly http: HttpAuth;
  /** A valid access token is required. */
  requireAccess(options?: GuardOptions): AuthGuard;
  /** A token is optional; a token that is sent must be valid. `request.auth` is `null` without one. */
  optionalAccess(options?: GuardOptions): AuthGuard;
  /** A valid refresh token is required (for the refresh route); from the header unless `from` says otherwise. */
  requireRefresh(options?: GuardOptions): AuthGuard;
  /** A valid and still fresh access token is required (401 `fresh_token_required` otherwise). */
  requireFresh(options?: GuardOptions): AuthGuard;
  /** A valid access token holding at least one of `roles` (403 `insufficient_role` otherwise). */
  requireRoles(...roles: string[]): AuthGuard;
  /** The same, with the guard's options last: `requireRoles('admin', { from: 'header' })`. */
  requireRoles(...rolesThenOptions: [...roles: string[], options: GuardOptions]): AuthGuard;
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

  // The layer gives the same guard for the same demand; so does this, as a Fastify hook.
  const hooks = new WeakMap<HttpGuard, AuthGuard>();
  function hookOf(guard: HttpGuard): AuthGuard {
    let hook = hooks.get(guard);
    if (hook === undefined) {
      hook = fastifyGuard(http, guard);
      hooks.set(guard, hook);
    }
    return hook;
  }

  fastify.decorateRequest('auth', null);
  fastify.decorate('authjwt', {
    auth: http.auth,
    http,
    cookies: http.cookies,
    setTokenCookies: (reply, pair) => reply.header('set-cookie', http.tokenCookies(pair)),
    clearTokenCookies: (reply) => reply.header('set-cookie', http.clearedCookies()),
    requireAccess: (guardOptions?: GuardOptions) => hookOf(http.requireAccess(guardOptions)),
    optionalAccess: (guardOptions?: GuardOptions) => hookOf(http.optionalAccess(guardOptions)),
    requireRefresh: (guardOptions?: GuardOptions) => hookOf(http.requireRefresh(guardOptions)),
    requireFresh: (guardOptions?: GuardOptions) => hookOf(http.requireFresh(guardOptions)),
    requireRoles: (...rolesThenOptions: (string | GuardOptions)[]) =>
      hookOf((http.requireRoles as (...args: (string | GuardOptions)[]) => HttpGuard)(...rolesThenOptions)),
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
