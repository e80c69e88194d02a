import type { JsonWebKey } from 'node:crypto';
import type { Auth } from '../auth.js';
import { AuthConfigError, type AuthError } from '../errors.js';
import { type Duration, parseDuration } from '../internal/duration.js';
import type { TokenPair } from '../sessions/types.js';
import type { ChallengeOptions } from './challenge.js';
import { type CookieJar, type CookieOptions, createCookieJar } from './cookies.js';
import { type CsrfOptions, type CsrfPolicy, createCsrfPolicy } from './csrf.js';
import { authErrorResponse, type ErrorBody, type ErrorResponse } from './error-response.js';
import {
  type ClaimsPredicate,
  createHttpGuard,
  type GuardKind,
  type GuardSettings,
  type HttpGuard,
} from './guard.js';
import { type OpenPaths, openPathTest } from './protect.js';
import type { RequestReader } from './request.js';
import {
  defaultTokenLocations,
  type ResolvedTokenLocations,
  resolveTokenLocations,
  type TokenLocations,
} from './token-locations.js';
import { readUpgradeCredentials, type UpgradeCredentials } from './upgrade.js';

/** Options of {@link createHttpAuth}: everything about requests and answers, for every framework. */
export interface HttpAuthOptions {
  /** The auth instance from `createAuth()`. */
  auth: Auth;
  /** Header to read the token from. Default `authorization`. */
  header?: string;
  /** Scheme expected in that header. Default `Bearer`. */
  scheme?: string;
  /** `realm` of the `WWW-Authenticate` challenge. */
  realm?: string;
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
  /**
   * Your own body for a refusal, and a place to log it: given the error and the contract's body, it
   * returns the body to send as JSON. The status and the `WWW-Authenticate`, `Retry-After` and
   * `Cache-Control` headers stay the layer's, so clients and the challenge keep working. If it throws,
   * the contract's body is sent. Never log the request's credentials from here.
   */
  refusalBody?: (error: AuthError, body: ErrorBody) => unknown;
  /**
   * How long relying parties may cache the published JWKS (`Cache-Control: public, max-age`). Keep it
   * short, so they refetch within a key rotation's overlap. Default `'5m'`, at most a day.
   */
  jwksMaxAge?: Duration;
}

/** A refusal as an adapter writes it: status, headers, and the JSON body. */
export interface Refusal {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
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

/** Options of `requireExternal()`: which issuers, and what their token must grant. */
export interface ExternalGuardOptions extends GuardOptions {
  /**
   * Only `'header'`: the cookies hold this instance's own tokens, never another issuer's (any other
   * value throws `AuthConfigError`).
   */
  from?: 'header';
  /** The issuers admitted, each one of `externalIssuers`; default every configured issuer. */
  issuers?: readonly string[];
  /** Every one of these scopes must be granted (403 `insufficient_scope` otherwise). */
  scopes?: readonly string[];
  /** At least one of these roles (403 `insufficient_role` otherwise). */
  roles?: readonly string[];
}

/**
 * The guard factories every adapter offers, `G` being its form of a guard (a hook, a middleware).
 * Each validates its options once, at the call; the same demand gives the same guard.
 */
export interface GuardFactories<G, Optional = G> {
  /** A valid access token is required. */
  requireAccess(options?: GuardOptions): G;
  /** A token is optional; a token that is sent must be valid. The context is `null` without one. */
  optionalAccess(options?: GuardOptions): Optional;
  /** A valid refresh token is required (for the refresh route); from the header unless `from` says otherwise. */
  requireRefresh(options?: GuardOptions): G;
  /** A valid and still fresh access token is required (401 `fresh_token_required` otherwise). */
  requireFresh(options?: GuardOptions): G;
  /** A valid access token holding at least one of `roles` (403 `insufficient_role` otherwise). */
  requireRoles(...roles: string[]): G;
  /** The same, with the guard's options last: `requireRoles('admin', { from: 'header' })`. */
  requireRoles(...rolesThenOptions: [...roles: string[], options: GuardOptions]): G;
  /**
   * A valid access token granting every one of `scopes` in its `scope` (space-separated) or `scp`
   * claim (403 `insufficient_scope` otherwise, with the `insufficient_scope` challenge).
   */
  requireScopes(...scopes: string[]): G;
  /** The same, with the guard's options last. */
  requireScopes(...scopesThenOptions: [...scopes: string[], options: GuardOptions]): G;
  /**
   * A valid access token whose claims `predicate` accepts (403 `insufficient_role` otherwise; a
   * predicate that throws refuses). Synchronous: it runs on every request.
   */
  requireClaims(predicate: ClaimsPredicate, options?: GuardOptions): G;
  /**
   * A valid token of one of the `externalIssuers` (see `auth.authenticateExternal`), from the
   * `Authorization` header; this instance's own tokens are refused (401 `token_invalid`, reason
   * `issuer_unknown`), as `requireAccess()` refuses external ones. `issuers`, `scopes` and `roles`
   * narrow it further. The context has `tokenType: 'external'` and `issuer` set, and no session.
   */
  requireExternal(options?: ExternalGuardOptions): G;
}

/** Options of `protect()`: a guard for every route, but the open ones. */
export interface ProtectOptions extends GuardOptions {
  /**
   * Paths left open: `'/health'` (exact), `'/public/*'` (a prefix), or a RegExp tested on the path.
   * A path with dot segments or encoded slashes and dots is never open (see `openPathTest`).
   */
  except?: OpenPaths;
}

/** Protect-everything: the access guard, and which paths skip it. */
export interface Protection {
  readonly guard: HttpGuard;
  /** Whether the request path (with or without its query) is one of the open ones. */
  isOpen(path: string): boolean;
}

/** The layer's own guards, which adapters wrap. */
export type HttpGuards = GuardFactories<HttpGuard>;

/**
 * An adapter's factories: the layer's, with each guard wrapped once into the framework's form by
 * `wrap` (the same layer guard always gives the same wrapped one).
 */
export function adaptGuards<G, Optional = G>(
  http: HttpGuards,
  wrap: (guard: HttpGuard) => G | Optional,
): GuardFactories<G, Optional> {
  const wrapped = new WeakMap<HttpGuard, G | Optional>();
  const of = (guard: HttpGuard) => {
    let adapted = wrapped.get(guard);
    if (adapted === undefined) {
      adapted = wrap(guard);
      wrapped.set(guard, adapted);
    }
    return adapted;
  };
  type Variadic = (...args: (string | GuardOptions)[]) => HttpGuard;
  return {
    requireAccess: (options?: GuardOptions) => of(http.requireAccess(options)) as G,
    optionalAccess: (options?: GuardOptions) => of(http.optionalAccess(options)) as Optional,
    requireRefresh: (options?: GuardOptions) => of(http.requireRefresh(options)) as G,
    requireFresh: (options?: GuardOptions) => of(http.requireFresh(options)) as G,
    requireRoles: (...args: (string | GuardOptions)[]) => of((http.requireRoles as Variadic)(...args)) as G,
    requireScopes: (...args: (string | GuardOptions)[]) => of((http.requireScopes as Variadic)(...args)) as G,
    requireClaims: (predicate: ClaimsPredicate, options?: GuardOptions) =>
      of(http.requireClaims(predicate, options)) as G,
    requireExternal: (options?: ExternalGuardOptions) => of(http.requireExternal(options)) as G,
  };
}

/** Cookie mode's jar and CSRF policy. */
export interface CookieMode {
  readonly jar: CookieJar;
  readonly csrf: CsrfPolicy;
}

/**
 * The framework-free HTTP layer (`authjwt/http`): it decides everything about a request that does not
 * depend on a framework. An adapter reads the request through a {@link RequestReader}, runs a guard,
 * and writes what the layer answers: an admission's header, or `errorResponse(error)`.
 */
export interface HttpAuth extends HttpGuards {
  readonly auth: Auth;
  /** Cookie mode's names and CSRF policy; `undefined` in header mode. */
  readonly cookies: CookieMode | undefined;
  /** The `WWW-Authenticate` settings of every refusal. */
  readonly challenge: ChallengeOptions;
  /** Status, headers and body of a refusal: the one table every adapter answers with. */
  errorResponse(error: AuthError): Refusal;
  /** Cookie mode: the `Set-Cookie` values of a token pair (access, refresh and CSRF cookies). */
  tokenCookies(pair: TokenPair): string[];
  /** Cookie mode: the `Set-Cookie` values that clear every cookie of ours. */
  clearedCookies(): string[];
  /** The published JWKS, with its caching header. */
  jwks(): { headers: Record<string, string>; body: { keys: JsonWebKey[] } };
  /**
   * Protect everything with exclusions (redis-jwt-auth's middleware style): a valid access token on
   * every route but the `except` paths. Adapters mount it once, before the routes.
   */
  protect(options?: ProtectOptions): Protection;
  /** The credentials of a WebSocket upgrade request (see `readUpgradeCredentials`). */
  upgradeCredentials<Request>(request: Request, reader: RequestReader<Request>): UpgradeCredentials;
}

export function createHttpAuth(options: HttpAuthOptions): HttpAuth {
  const { auth } = options;
  if (auth === null || typeof auth !== 'object' || typeof auth.authenticate !== 'function') {
    throw new AuthConfigError('auth', 'must be an auth instance from createAuth()');
  }
  const { refusalBody } = options;
  if (refusalBody !== undefined && typeof refusalBody !== 'function') {
    throw new AuthConfigError('refusalBody', 'must be a function (error, body) => the body to send');
  }
  const header = (options.header ?? 'authorization').toLowerCase();
  const jwksHeaders = Object.freeze({
    'cache-control': `public, max-age=${parseDuration('jwksMaxAge', options.jwksMaxAge ?? '5m', { max: 86_400 })}`,
  });
  const scheme = options.scheme ?? 'Bearer';
  const challenge: ChallengeOptions = {
    ...(options.realm !== undefined && { realm: options.realm }),
    ...(options.scheme !== undefined && { scheme: options.scheme }),
  };
  const cookieOptions =
    options.cookies === true ? {} : options.cookies === false ? undefined : options.cookies;
  const cookies: CookieMode | undefined =
    cookieOptions === undefined
      ? undefined
      : { jar: createCookieJar(cookieOptions), csrf: createCsrfPolicy(options.csrf) };
  const settings: GuardSettings = {
    auth,
    header,
    scheme,
    renewedTokenHeader: options.renewedTokenHeader ?? 'x-renewed-access-token',
    cookies,
  };

  const accessDefault = defaultTokenLocations.access(cookies !== undefined);
  // Guards are made once per distinct demand, not per request (nor per route).
  const guards = new Map<string, HttpGuard>();
  function guardFor(
    kind: GuardKind,
    factory: string,
    guardOptions: GuardOptions | undefined,
    roles: readonly string[] = [],
    extra: { scopes?: readonly string[]; issuers?: readonly string[]; predicate?: ClaimsPredicate } = {},
  ): HttpGuard {
    if (guardOptions !== undefined && (typeof guardOptions !== 'object' || guardOptions === null)) {
      throw new AuthConfigError(factory, 'takes an options object such as { from: "header" }');
    }
    const fallback =
      kind === 'refresh' || kind === 'external' ? defaultTokenLocations.refresh : accessDefault;
    const locations = resolveTokenLocations(guardOptions?.from, fallback, {
      cookieMode: cookies !== undefined,
      option: `${factory}.from`,
    });
    const demand = { kind, locations, roles, ...extra };
    // A predicate has no key of its own: each claims guard is made anew (once per route, at start).
    if (extra.predicate !== undefined) return createHttpGuard(settings, demand);
    if (kind === 'external' && locations.cookie) {
      throw new AuthConfigError(
        `${factory}.from`,
        "tokens of other issuers come in the header; the cookies hold this instance's own",
      );
    }
    const key = `${kind} ${locationsKey(locations)} ${JSON.stringify([roles, extra.scopes ?? [], extra.issuers ?? []])}`;
    let guard = guards.get(key);
    if (guard === undefined) {
      guard = createHttpGuard(settings, demand);
      guards.set(key, guard);
    }
    return guard;
  }

  function requireCookies(): CookieMode {
    if (cookies === undefined) {
      throw new AuthConfigError('cookies', 'cookie mode is off; set cookies: true');
    }
    return cookies;
  }

  return {
    auth,
    cookies,
    challenge,
    errorResponse(error) {
      const response = authErrorResponse(error, challenge);
      return refusalBody === undefined
        ? response
        : { ...response, body: ownBody(refusalBody, error, response) };
    },
    tokenCookies: (pair) =>
      requireCookies().jar.setTokens({
        accessToken: pair.accessToken,
        accessMaxAge: pair.expiresIn,
        refreshToken: pair.refreshToken,
        refreshMaxAge: pair.refreshExpiresIn,
        remember: pair.remember !== false,
        ...(pair.csrfToken !== undefined && { csrf: pair.csrfToken }),
      }),
    clearedCookies: () => requireCookies().jar.clear(),
    jwks: () => ({ headers: { ...jwksHeaders }, body: auth.tokens.jwks() }),
    protect(protectOptions?: ProtectOptions) {
      const { except, ...guardOptions } = protectOptions ?? {};
      return {
        guard: guardFor('access', 'protect', guardOptions),
        isOpen: openPathTest(except, 'protect.except'),
      };
    },
    upgradeCredentials: (request, reader) =>
      readUpgradeCredentials(request, reader, { header, scheme, cookies }),
    requireAccess: (guardOptions?: GuardOptions) => guardFor('access', 'requireAccess', guardOptions),
    optionalAccess: (guardOptions?: GuardOptions) => guardFor('optional', 'optionalAccess', guardOptions),
    requireRefresh: (guardOptions?: GuardOptions) => guardFor('refresh', 'requireRefresh', guardOptions),
    requireFresh: (guardOptions?: GuardOptions) => guardFor('fresh', 'requireFresh', guardOptions),
    requireRoles: (...rolesThenOptions: (string | GuardOptions)[]) => {
      const [roles, guardOptions] = namesThenOptions('requireRoles', 'role', rolesThenOptions);
      return guardFor('roles', 'requireRoles', guardOptions, roles);
    },
    requireScopes: (...scopesThenOptions: (string | GuardOptions)[]) => {
      const [scopes, guardOptions] = namesThenOptions('requireScopes', 'scope', scopesThenOptions);
      return guardFor('scopes', 'requireScopes', guardOptions, [], { scopes });
    },
    requireClaims: (predicate: ClaimsPredicate, guardOptions?: GuardOptions) => {
      if (typeof predicate !== 'function') {
        throw new AuthConfigError(
          'requireClaims',
          'takes a function of the claims that returns true to admit',
        );
      }
      return guardFor('claims', 'requireClaims', guardOptions, [], { predicate });
    },
    requireExternal: (guardOptions?: ExternalGuardOptions) => {
      const configured = auth.externalIssuers;
      if (configured.length === 0) {
        throw new AuthConfigError('requireExternal', 'needs externalIssuers in the options of createAuth');
      }
      if (guardOptions !== undefined && (typeof guardOptions !== 'object' || guardOptions === null)) {
        throw new AuthConfigError('requireExternal', 'takes an options object such as { scopes: ["read"] }');
      }
      const { issuers, scopes, roles, ...locationOptions } = guardOptions ?? {};
      const named = (list: unknown, what: string) => {
        if (list === undefined) return [];
        if (!Array.isArray(list) || list.some((name) => typeof name !== 'string' || name.length === 0)) {
          throw new AuthConfigError(`requireExternal.${what}`, 'must be an array of non-empty strings');
        }
        return [...(list as string[])];
      };
      const admitted = named(issuers, 'issuers');
      const unknown = admitted.find((issuer) => !configured.includes(issuer));
      if (unknown !== undefined) {
        throw new AuthConfigError('requireExternal.issuers', `"${unknown}" is not one of externalIssuers`);
      }
      return guardFor('external', 'requireExternal', locationOptions, named(roles, 'roles'), {
        scopes: named(scopes, 'scopes'),
        issuers: admitted,
      });
    },
  };
}

/** The application's body for a refusal; the contract's when its hook throws or gives nothing. */
function ownBody(
  refusalBody: NonNullable<HttpAuthOptions['refusalBody']>,
  error: AuthError,
  response: ErrorResponse,
): unknown {
  try {
    return refusalBody(error, { ...response.body }) ?? response.body;
  } catch {
    return response.body;
  }
}

/** `('admin', 'ops', { from })`: the names, at least one and none empty, then optional options. */
function namesThenOptions(
  factory: string,
  what: string,
  args: readonly (string | GuardOptions)[],
): [names: string[], options: GuardOptions | undefined] {
  const last = args.at(-1);
  const options = typeof last === 'string' ? undefined : last;
  const names = options === undefined ? args : args.slice(0, -1);
  if (names.length === 0 || names.some((name) => typeof name !== 'string' || name.length === 0)) {
    throw new AuthConfigError(factory, `needs at least one non-empty ${what} name`);
  }
  return [names as string[], options];
}

function locationsKey({ header, cookie }: ResolvedTokenLocations): string {
  return header && cookie ? 'header+cookie' : header ? 'header' : 'cookie';
}
