import { AuthConfigError } from '../../errors.js';
import type { HttpGuard } from '../../http/guard.js';
import type { HttpGuards } from '../../http/http-auth.js';

/** The metadata key under which a handler or controller keeps its authjwt demand. */
export const ROUTE_DEMAND = 'authjwt:route-demand';

/**
 * What one decorator demands of a route: its name (for messages), and the HTTP layer's guard it
 * stands for, made from the module's layer once (`undefined` for `@Public()`).
 */
export interface RouteDemand {
  readonly decorator: string;
  readonly guardOf: ((guards: HttpGuards) => HttpGuard) | undefined;
}

/**
 * A decorator that records `demand` on a handler, or on a controller for all its handlers (a
 * handler's own demand replaces its controller's, as with Nest's `Reflector.getAllAndOverride`). A
 * second authjwt decorator on the same handler or controller throws at once: which of the two would
 * hold (or both, or either) is not something to leave to the order they were written in.
 */
export function recordDemand(demand: RouteDemand): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor?.value ?? target;
    const existing = Reflect.getOwnMetadata(ROUTE_DEMAND, holder) as RouteDemand | undefined;
    if (existing !== undefined) {
      throw new AuthConfigError(
        demand.decorator,
        `cannot be combined with ${existing.decorator} on the same handler or controller; ` +
          'one authjwt decorator decides a route (use @RequireClaims() for a policy of several checks)',
      );
    }
    Reflect.defineMetadata(ROUTE_DEMAND, demand, holder);
  };
}

/**
 * Carried by the guard class a route names with `@UseGuards()`, so the start-up check of the routes
 * knows such a route is guarded without importing the guard (which imports the routes).
 */
export const routeGuardMark = Symbol.for('authjwt.nestjs.route-guard');
