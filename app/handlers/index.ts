import type { AppContext } from '../context.js';
import { accountRoutes } from './account.js';
import { adminRoutes } from './admin.js';
import { authRoutes } from './auth.js';
import { cookieAuthRoutes } from './cookie-auth.js';
import { externalRoutes } from './external.js';
import { homeRoutes } from './home.js';
import { opsRoutes } from './ops.js';
import { sessionRoutes } from './sessions.js';
import type { AppRoute } from './types.js';

export type { AppAnswer, AppRequest, AppRoute, GuardSpec, RouteSchema } from './types.js';
export { notFound } from './types.js';

/**
 * Every HTTP route of the reference app, framework-free: each framework's wiring maps them to its
 * router with its adapter's guards. The JWKS, the WebSocket and (on Fastify) the OpenAPI document are
 * wired by each framework itself.
 */
export function appRoutes(context: AppContext): AppRoute[] {
  return [
    ...authRoutes(context),
    ...cookieAuthRoutes(context),
    ...sessionRoutes(context),
    ...accountRoutes(context),
    ...adminRoutes(context),
    ...externalRoutes(context),
    ...opsRoutes(context),
    ...homeRoutes(context),
  ];
}
