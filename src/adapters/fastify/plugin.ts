import type { FastifyPluginAsync, FastifyReply, FastifySchema } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Auth, AuthContext } from '../../auth.js';
import { AuthConfigError } from '../../errors.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import { type CookieJar, type CookieOptions, createCookieJar } from '../../http/cookies.js';
import { type CsrfOptions, createCsrfPolicy } from '../../http/csrf.js';
import {
  defaultTokenLocations,
  type ResolvedTokenLocations,
  resolveTokenLocations,
  type TokenLocations,
} from '../../http/token-locations.js';
import type { TokenPair } from '../../sessions/types.js';
import { type AuthGuard, createGuard, type GuardKind, type GuardSettings } from './guards.js';
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
  /**
   * Cookie mode: tokens may also come from `HttpOnly` cookies, and cookie-authenticated unsafe requests
   * need the CSRF header and an allowed `Origin`. Default: off (header only). Which guard reads which
   * location is each guard's `from` option.
   */
  cookies?: CookieOptions | boolean;
  /** CSRF double submit for cookie mode (on by default there). */
  csrf?: CsrfOptions;
  /** Security scheme names used when marking guarded routes for OpenAPI. */
  openApi?: Partial<OpenApiNames>;
}

/**
 * Where a guard takes its token from. Omitted: guards that admit an access token read the header, then
 * (cookie mode) the access cookie; `requireRefresh()` reads the header only, because a refresh route
 * that answers with tokens in its body must never be fed by a cookie (an injected script could read
 * the body, never the `HttpOnly` cookie). A cookie refresh route says `{ from: 'cookie' }`.
 */
export interface GuardOptions {
  /**
   * `'header'`, `'cookie'` or both (`['header', 'cookie']`: the header first, in whatever order they
   * are listed). A guard never reads a location it was not given: a request whose token is elsewhere
   * is 401 `token_missing`. `'cookie'` without cookie mode throws `AuthConfigError` at once.
   */
  from?: TokenLocations;
}

/**
 * The guards, as Fastify hooks. Use them as `onRequest` (or `preHandler`) of a route. Each factory
 * validates its options once and returns the same guard for the same demand, so calling it per route
 * costs nothing per request.
 */
export interface AuthjwtDecorator {
  readonly auth: Auth;
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
  readonly cookies:
    | { readonly jar: CookieJar; readonly csrf: ReturnType<typeof createCsrfPolicy> }
    | undefined;
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
  const cookieOptions =
    options.cookies === true ? {} : options.cookies === false ? undefined : options.cookies;
  const cookies =
    cookieOptions === undefined
      ? undefined
      : { jar: createCookieJar(cookieOptions), csrf: createCsrfPolicy(options.csrf) };
  const settings: GuardSettings = {
    cookies,
    auth,
    header,
    scheme: options.scheme ?? 'Bearer',
    challenge,
    renewedTokenHeader: options.renewedTokenHeader ?? 'x-renewed-access-token',
  };
  const names: OpenApiNames = { ...defaultOpenApiNames, ...options.openApi };

  const cookieMode = cookies !== undefined;
  const accessDefault = defaultTokenLocations.access(cookieMode);
  // Guards are made once per distinct demand, not per request (nor per route).
  const guards = new Map<string, AuthGuard>();
  function guardFor(
    kind: GuardKind,
    factory: string,
    guardOptions: GuardOptions | undefined,
    roles: readonly string[] = [],
  ): AuthGuard {
    if (guardOptions !== undefined && (typeof guardOptions !== 'object' || guardOptions === null)) {
      throw new AuthConfigError(factory, 'takes an options object such as { from: "header" }');
    }
    const fallback = kind === 'refresh' ? defaultTokenLocations.refresh : accessDefault;
    const locations = resolveTokenLocations(guardOptions?.from, fallback, {
      cookieMode,
      option: `${factory}.from`,
    });
    const key = `${kind} ${locationsKey(locations)} ${JSON.stringify(roles)}`;
    let guard = guards.get(key);
    if (guard === undefined) {
      guard = createGuard(settings, { kind, locations, roles });
      guards.set(key, guard);
    }
    return guard;
  }

  fastify.decorateRequest('auth', null);
  function requireCookies() {
    if (cookies === undefined)
      throw new AuthConfigError('cookies', 'cookie mode is off; register the plugin with cookies: true');
    return cookies;
  }

  fastify.decorate('authjwt', {
    auth,
    cookies,
    setTokenCookies(reply, pair) {
      const { jar } = requireCookies();
      return reply.header(
        'set-cookie',
        jar.setTokens({
          accessToken: pair.accessToken,
          accessMaxAge: pair.expiresIn,
          refreshToken: pair.refreshToken,
          refreshMaxAge: pair.refreshExpiresIn,
          ...(pair.csrfToken !== undefined && { csrf: pair.csrfToken }),
        }),
      );
    },
    clearTokenCookies: (reply) => reply.header('set-cookie', requireCookies().jar.clear()),
    requireAccess: (options?: GuardOptions) => guardFor('access', 'requireAccess', options),
    optionalAccess: (options?: GuardOptions) => guardFor('optional', 'optionalAccess', options),
    requireRefresh: (options?: GuardOptions) => guardFor('refresh', 'requireRefresh', options),
    requireFresh: (options?: GuardOptions) => guardFor('fresh', 'requireFresh', options),
    requireRoles: (...rolesThenOptions: (string | GuardOptions)[]) => {
      const last = rolesThenOptions.at(-1);
      const options = typeof last === 'string' ? undefined : last;
      const roles = options === undefined ? rolesThenOptions : rolesThenOptions.slice(0, -1);
      if (roles.length === 0 || roles.some((role) => typeof role !== 'string' || role.length === 0)) {
        throw new AuthConfigError('requireRoles', 'needs at least one non-empty role name');
      }
      return guardFor('roles', 'requireRoles', options, roles as string[]);
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

function locationsKey({ header, cookie }: ResolvedTokenLocations): string {
  return header && cookie ? 'header+cookie' : header ? 'header' : 'cookie';
}

/** The Fastify plugin. Register it once with `{ auth }`; it decorates `fastify.authjwt` and `request.auth`. */
export const authjwtFastify = fastifyPlugin(plugin, { fastify: '5.x', name: 'authjwt' });
