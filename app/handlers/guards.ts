import type { GuardSpec } from './types.js';

/** The guard factories every authjwt adapter has (Fastify hooks, Express and Hono middlewares). */
export interface GuardFactories<G, Optional = G> {
  requireAccess(options?: { from: 'header' | 'cookie' }): G;
  optionalAccess(options?: { from: 'header' }): Optional;
  requireRefresh(options?: { from: 'header' | 'cookie' }): G;
  requireFresh(): G;
  requireRoles(...roles: string[]): G;
  requireExternal(): G;
}

/** The adapter's guard for a route's guard spec (each factory returns one guard per demand). */
export function guardOf<G, Optional>(factories: GuardFactories<G, Optional>, spec: GuardSpec): G | Optional {
  switch (spec.kind) {
    case 'requireAccess':
      return spec.from === undefined
        ? factories.requireAccess()
        : factories.requireAccess({ from: spec.from });
    case 'optionalAccess':
      return factories.optionalAccess({ from: spec.from });
    case 'requireRefresh':
      return factories.requireRefresh({ from: spec.from });
    case 'requireFresh':
      return factories.requireFresh();
    case 'requireRoles':
      return factories.requireRoles(...spec.roles);
    case 'requireExternal':
      return factories.requireExternal();
  }
}
