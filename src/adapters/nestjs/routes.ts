import type { OnModuleInit } from '@nestjs/common';
import { GUARDS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AuthConfigError } from '../../errors.js';
import type { HttpGuard } from '../../http/guard.js';
import type { HttpAuth, ProtectOptions } from '../../http/http-auth.js';
import { requiredContext } from './auth-context.js';
import { injectable } from './di.js';
import type { AuthjwtModuleOptions } from './options.js';
import { ROUTE_DEMAND, type RouteDemand, routeGuardMark } from './route-demand.js';
import { AUTHJWT_HTTP, AUTHJWT_OPTIONS } from './tokens.js';

/**
 * What a guard does on a route: nothing (the global guard where nothing was asked), let it in
 * without reading a token (`@Public()`), or run a layer guard, unless the path is an open one.
 */
export type RouteDecision =
  | { readonly kind: 'pass' }
  | { readonly kind: 'open' }
  | {
      readonly kind: 'guard';
      readonly guard: HttpGuard;
      /** `protect`'s `except` paths, for routes without a decorator of their own. */
      readonly isOpen: ((path: string) => boolean) | undefined;
    };

/** The global guard (`APP_GUARD`) or one a route names (`@UseGuards()`, as each decorator does). */
export type GuardScope = 'global' | 'route';

const pass: RouteDecision = Object.freeze({ kind: 'pass' });
const open: RouteDecision = Object.freeze({ kind: 'open' });

/**
 * Each route's guard, made once from the module's HTTP layer: per decorator, not per request (a
 * claims guard is a new one at each call of the layer's factory). At start-up it resolves every
 * controller's decorators, so a bad option (`from: 'cookie'` without cookie mode, an empty role) and
 * an `@AuthContext()` on a route no guard protects stop the application from starting rather than
 * fail its requests.
 */
export class AuthjwtRoutes implements OnModuleInit {
  private readonly decisions = new WeakMap<RouteDemand, RouteDecision>();
  /** A route naming the guard without a decorator: a valid access token. */
  private readonly routeDefault: RouteDecision;
  /** The global guard on a route without a decorator: `protect`, or nothing. */
  private readonly globalDefault: RouteDecision;

  constructor(
    readonly http: HttpAuth,
    options: AuthjwtModuleOptions,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
  ) {
    this.routeDefault = { kind: 'guard', guard: http.requireAccess(), isOpen: undefined };
    const protection = protectOptions(options.protect);
    if (protection === undefined) {
      this.globalDefault = pass;
    } else {
      const { guard, isOpen } = http.protect(protection);
      this.globalDefault = { kind: 'guard', guard, isOpen };
    }
  }

  decide(handler: object, controller: object, scope: GuardScope): RouteDecision {
    const demand = this.reflector.getAllAndOverride<RouteDemand | undefined>(ROUTE_DEMAND, [
      handler as () => void,
      controller as () => void,
    ]);
    if (demand === undefined) return scope === 'global' ? this.globalDefault : this.routeDefault;
    let decision = this.decisions.get(demand);
    if (decision === undefined) {
      decision =
        demand.guardOf === undefined
          ? open
          : { kind: 'guard', guard: demand.guardOf(this.http), isOpen: undefined };
      this.decisions.set(demand, decision);
    }
    return decision;
  }

  onModuleInit(): void {
    const scanner = new MetadataScanner();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function' || wrapper.isAlias) continue;
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as object;
        const decision = this.decide(handler, controller, 'global');
        const unguarded =
          decision.kind === 'open' || (decision.kind === 'pass' && !namesGuard(handler, controller));
        if (unguarded && readsContext(controller, name)) {
          throw new AuthConfigError(
            '@AuthContext()',
            `${controller.name}.${name} is not protected by an authjwt guard, so it never has a context; ` +
              'use a guard decorator, or @OptionalAuthContext() on an open route',
          );
        }
      }
    }
  }
}

injectable(AuthjwtRoutes, AUTHJWT_HTTP, AUTHJWT_OPTIONS, Reflector, DiscoveryService);

function protectOptions(protect: AuthjwtModuleOptions['protect']): ProtectOptions | undefined {
  if (protect === undefined || protect === false) return undefined;
  if (protect === true) return {};
  if (typeof protect !== 'object' || protect === null) {
    throw new AuthConfigError('protect', 'must be true, or options such as { except: ["/health"] }');
  }
  return protect;
}

/** Whether a handler takes `@AuthContext()` (Nest keeps route parameters on the controller). */
function readsContext(controller: object, name: string): boolean {
  const parameters = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as
    | Record<string, { factory?: unknown }>
    | undefined;
  return Object.values(parameters ?? {}).some((parameter) => parameter.factory === requiredContext);
}

/** Whether `@UseGuards()` names the authjwt guard on the handler or its controller. */
function namesGuard(handler: object, controller: object): boolean {
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? []),
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[] | undefined) ?? []),
  ];
  return guards.some(
    (guard) =>
      typeof guard === 'function' && (guard as { [routeGuardMark]?: boolean })[routeGuardMark] === true,
  );
}
