import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isAuthError } from '../../errors.js';
import type { Admission } from '../../http/guard.js';
import { injectable } from './di.js';
import { AuthjwtRefusal } from './refusal.js';
import { type NestHttpRequest, nestRequestReader } from './request.js';
import { routeGuardMark } from './route-demand.js';
import { AuthjwtRoutes, type GuardScope } from './routes.js';

/** Set on a request once a guard admitted it, so the global guard and a route's guard check once. */
const admitted = Symbol('authjwt.admitted');

type GuardedRequest = NestHttpRequest & { [admitted]?: true };

/**
 * The authjwt guard of a route, named by every guard decorator (`@RequireAccess()`, `@RequireRoles()`
 * ...), so a decorated route is never open for want of a guard: without `AuthjwtModule` the
 * application does not start. It runs the HTTP layer's guard for the route's decorator (a valid
 * access token when the route names it without one), puts the context on `request.auth`, writes a
 * renewed access token (header or cookie), or throws an {@link AuthjwtRefusal}. Synchronous when the
 * layer answers at once (the cached steady state): no promise per request.
 *
 * HTTP only: a GraphQL resolver, WebSocket gateway or microservice handler it guards (by a decorator,
 * or under `protect`) is refused, unless `@Public()`: fail closed where it cannot read the request.
 * Authenticate WebSockets with `authjwt/ws` and `AuthjwtService.upgradeCredentials`.
 */
export class AuthjwtGuard implements CanActivate {
  static readonly [routeGuardMark] = true;
  protected readonly scope: GuardScope = 'route';

  constructor(
    private readonly routes: AuthjwtRoutes,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const decision = this.routes.decide(context.getHandler(), context.getClass(), this.scope);
    if (context.getType() !== 'http') return decision.kind !== 'guard';
    if (decision.kind === 'pass') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedRequest>();
    if (request[admitted] === true) return true;
    const { httpAdapter } = this.adapterHost;
    if (decision.kind === 'open' || decision.isOpen?.(httpAdapter.getRequestUrl(request)) === true) {
      request.auth ??= null;
      return true;
    }
    let admission: Admission | Promise<Admission>;
    try {
      admission = decision.guard.check(request, nestRequestReader);
    } catch (error) {
      throw this.refusal(error);
    }
    const response: unknown = http.getResponse();
    if (admission instanceof Promise) {
      return admission.then(
        (settled) => this.admit(request, response, settled),
        (error: unknown) => {
          throw this.refusal(error);
        },
      );
    }
    return this.admit(request, response, admission);
  }

  private admit(request: GuardedRequest, response: unknown, admission: Admission): true {
    request.auth = admission.context;
    request[admitted] = true;
    const header = admission.header;
    if (header !== undefined) {
      const { httpAdapter } = this.adapterHost;
      // One value at a time: Fastify's append nests an array given at once.
      for (const value of Array.isArray(header.value) ? header.value : [header.value]) {
        httpAdapter.appendHeader?.(response, header.name, value);
      }
    }
    return true;
  }

  /** An `AuthError` becomes the refusal; anything else is a bug, for Nest to answer 500 and log. */
  private refusal(error: unknown): unknown {
    return isAuthError(error) ? new AuthjwtRefusal(error, this.routes.http.challenge) : error;
  }
}

/**
 * The same guard for the whole application (`APP_GUARD`, registered by `AuthjwtModule`): it checks
 * decorated routes first, before the application's own guards, and with `protect` every route
 * without a decorator; without `protect` it leaves those alone.
 */
export class AuthjwtGlobalGuard extends AuthjwtGuard {
  protected override readonly scope: GuardScope = 'global';
}

injectable(AuthjwtGuard, AuthjwtRoutes, HttpAdapterHost);
injectable(AuthjwtGlobalGuard, AuthjwtRoutes, HttpAdapterHost);
