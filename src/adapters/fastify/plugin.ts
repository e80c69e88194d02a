import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Auth, AuthContext } from '../../auth.js';
import { AuthConfigError } from '../../errors.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import { type AuthGuard, createGuard, type GuardSettings } from './guards.js';
import { defaultOpenApiNames, markGuardedRoute, type OpenApiNames } from './openapi.js';

export interface AuthjwtFastifyOptions {
  /** The auth instance from `createAuth()`. */
  auth: Auth;
  /** Header to read the token from. Default `authorization`. */
  header?: string;
  /** Scheme expected in that header. Default `Bearer`. */
  scheme?: string;
  /** `realm` of the `WWW-Authenticate` challenge. */
  realm?: string;
  /** Path of the published JWKS, or `false` for none. Default `/.well-known/jwks.json`. */
  jwksPath?: string | false;
  /**
   * Response header carrying a new access token when sliding renewal (`renewAccessTokenWithin`)
   * renews one. Default `x-renewed-access-token`; browsers need it listed in CORS `exposedHeaders`.
   */
  renewedTokenHeader?: string;
  /** Security scheme names used when marking guarded routes for OpenAPI. */
  openApi?: Partial<OpenApiNames>;
}

/** The guards, as Fastify hooks. Use them as `onRequest` (or `preHandler`) of a route. */
export interface AuthjwtDecorator {
  readonly auth: Auth;
  /** A valid access token is required. */
  requireAccess(): AuthGuard;
  /** A token is optional; a token that is sent must be valid. `request.auth` is `null` without one. */
  optionalAccess(): AuthGuard;
  /** A valid refresh token is required (for the refresh route). */
  requireRefresh(): AuthGuard;
  /** A valid and still fresh access token is required (401 `fresh_token_required` otherwise). */
  requireFresh(): AuthGuard;
  /** A valid access token holding at least one of `roles` (403 `insufficient_role` otherwise). */
  requireRoles(...roles: string[]): AuthGuard;
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
  const { auth } = options;
  if (auth === undefined || typeof auth.authenticate !== 'function') {
    throw new AuthConfigError('auth', 'must be an auth instance from createAuth()');
  }
  const header = (options.header ?? 'authorization').toLowerCase();
  const challenge: ChallengeOptions = {
    ...(options.realm !== undefined && { realm: options.realm }),
    ...(options.scheme !== undefined && { scheme: options.scheme }),
  };
  const settings: GuardSettings = {
    auth,
    header,
    scheme: options.scheme ?? 'Bearer',
    challenge,
    renewedTokenHeader: options.renewedTokenHeader ?? 'x-renewed-access-token',
  };
  const names: OpenApiNames = { ...defaultOpenApiNames, ...options.openApi };

  // Guards are made once per demand, not per request.
  const access = createGuard(settings, 'access');
  const optional = createGuard(settings, 'optional');
  const refresh = createGuard(settings, 'refresh');
  const fresh = createGuard(settings, 'fresh');

  fastify.decorateRequest('auth', null);
  fastify.decorate('authjwt', {
    auth,
    requireAccess: () => access,
    optionalAccess: () => optional,
    requireRefresh: () => refresh,
    requireFresh: () => fresh,
    requireRoles: (...roles: string[]) => {
      if (roles.length === 0 || roles.some((role) => typeof role !== 'string' || role.length === 0)) {
        throw new AuthConfigError('requireRoles', 'needs at least one non-empty role name');
      }
      return createGuard(settings, 'roles', roles);
    },
  } satisfies AuthjwtDecorator);

  fastify.addHook('onRoute', (route) => markGuardedRoute(route, names));

  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
  if (jwksPath !== false) {
    const schema = { tags: ['auth'], summary: 'Public verification keys (JWKS)' } as FastifySchema;
    fastify.get(jwksPath, { schema }, (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(auth.tokens.jwks()),
    );
  }
};

/** The Fastify plugin. Register it once with `{ auth }`; it decorates `fastify.authjwt` and `request.auth`. */
export const authjwtFastify = fastifyPlugin(plugin, { fastify: '5.x', name: 'authjwt' });
