import { applyDecorators, UseGuards } from '@nestjs/common';
import type { ClaimsPredicate } from '../../http/guard.js';
import type { ExternalGuardOptions, GuardOptions, HttpGuards } from '../../http/http-auth.js';
import { AuthjwtGuard } from './guard.js';
import { recordDemand } from './route-demand.js';

/*
 * The guard decorators, one per guard of the HTTP layer. Each goes on a handler, or on a controller
 * for all its handlers (a handler's own decorator replaces its controller's), and names the authjwt
 * guard itself, so it protects the route with or without `protect`. Their options are checked when
 * the application starts.
 */

type RouteDecorator = MethodDecorator & ClassDecorator;
type Variadic = (...args: (string | GuardOptions)[]) => ReturnType<HttpGuards['requireAccess']>;

function guardedBy(
  decorator: string,
  guardOf: Parameters<typeof recordDemand>[0]['guardOf'],
): RouteDecorator {
  return applyDecorators(recordDemand({ decorator, guardOf }), UseGuards(AuthjwtGuard));
}

/** A valid access token (from the header, then the access cookie in cookie mode, unless `from` says). */
export function RequireAccess(options?: GuardOptions): RouteDecorator {
  return guardedBy('@RequireAccess()', (http) => http.requireAccess(options));
}

/**
 * A token is optional, but one that is sent must be valid; read the context with
 * `@OptionalAuthContext()` (`null` without a token).
 */
export function OptionalAccess(options?: GuardOptions): RouteDecorator {
  return guardedBy('@OptionalAccess()', (http) => http.optionalAccess(options));
}

/**
 * A valid refresh token, for the refresh route: from the header only, unless `{ from: 'cookie' }`
 * (a route that answers with tokens in its body must not be fed by a cookie).
 */
export function RequireRefresh(options?: GuardOptions): RouteDecorator {
  return guardedBy('@RequireRefresh()', (http) => http.requireRefresh(options));
}

/** A valid and still fresh access token (401 `fresh_token_required` otherwise). */
export function RequireFresh(options?: GuardOptions): RouteDecorator {
  return guardedBy('@RequireFresh()', (http) => http.requireFresh(options));
}

/** A valid access token holding at least one of the roles (403 `insufficient_role` otherwise). */
export function RequireRoles(...roles: string[]): RouteDecorator;
/** The same, with the guard's options last: `@RequireRoles('admin', { from: 'header' })`. */
export function RequireRoles(
  ...rolesThenOptions: [...roles: string[], options: GuardOptions]
): RouteDecorator;
export function RequireRoles(...args: (string | GuardOptions)[]): RouteDecorator {
  return guardedBy('@RequireRoles()', (http) => (http.requireRoles as Variadic)(...args));
}

/**
 * A valid access token granting every one of the scopes in its `scope` or `scp` claim (403
 * `insufficient_scope` otherwise, with the `insufficient_scope` challenge).
 */
export function RequireScopes(...scopes: string[]): RouteDecorator;
/** The same, with the guard's options last. */
export function RequireScopes(
  ...scopesThenOptions: [...scopes: string[], options: GuardOptions]
): RouteDecorator;
export function RequireScopes(...args: (string | GuardOptions)[]): RouteDecorator {
  return guardedBy('@RequireScopes()', (http) => (http.requireScopes as Variadic)(...args));
}

/**
 * A valid access token whose claims `predicate` accepts (403 `insufficient_role` otherwise; a
 * predicate that throws refuses). Synchronous: it runs on every request.
 */
export function RequireClaims(predicate: ClaimsPredicate, options?: GuardOptions): RouteDecorator {
  return guardedBy('@RequireClaims()', (http) => http.requireClaims(predicate, options));
}

/**
 * A valid token of one of the `externalIssuers`, from the `Authorization` header; this instance's own
 * tokens are refused. `issuers`, `scopes` and `roles` narrow it (see `requireExternal`).
 */
export function RequireExternal(options?: ExternalGuardOptions): RouteDecorator {
  return guardedBy('@RequireExternal()', (http) => http.requireExternal(options));
}

/**
 * No token is read, none is needed: for the exclusions of `protect`, or a handler of a guarded
 * controller. `request.auth` is `null`; `@OptionalAccess()` is the one that reads a token if sent.
 */
export function Public(): RouteDecorator {
  return recordDemand({ decorator: '@Public()', guardOf: undefined });
}
