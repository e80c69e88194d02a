import type { FastifySchema, RouteOptions } from 'fastify';
import { type AuthGuard, type GuardDemand, guardDemands } from './guards.js';

/** Security scheme names used in the OpenAPI document. */
export interface OpenApiNames {
  bearer: string;
  cookie: string;
}

export const defaultOpenApiNames: OpenApiNames = { bearer: 'bearerAuth', cookie: 'cookieAuth' };

/** An OpenAPI 3 security scheme object, as much of it as we produce. */
export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer'; bearerFormat: string; description: string }
  | { type: 'apiKey'; in: 'cookie' | 'header'; name: string; description: string };

/** The access cookie's name in the plugin's cookie mode unless `cookies.names` or `domain` say otherwise. */
const defaultAccessCookie = '__Host-access';

/**
 * The `components.securitySchemes` to give @fastify/swagger, so the Swagger UI Authorize button
 * knows how to send the token. It holds every scheme the plugin marks routes with: the bearer scheme,
 * and the access-cookie scheme (named `accessCookie`, default `__Host-access`), which routes that read
 * the cookie name in cookie mode. @fastify/swagger looks up each scheme a route names and fails the
 * whole document (a 500 on `/docs/json`) for one it cannot find, so the cookie scheme is left out only
 * when asked, `accessCookie: false`, for an API that never registers the plugin with cookies.
 */
export function openApiSecuritySchemes(
  options: { names?: Partial<OpenApiNames>; accessCookie?: string | false } = {},
): Record<string, SecurityScheme> {
  const names = { ...defaultOpenApiNames, ...options.names };
  const accessCookie = options.accessCookie ?? defaultAccessCookie;
  const cookie: Record<string, SecurityScheme> =
    accessCookie === false
      ? {}
      : {
          [names.cookie]: {
            type: 'apiKey',
            in: 'cookie',
            name: accessCookie,
            description:
              'Cookie mode: the HttpOnly access cookie set by the cookie login; unsafe methods also need X-CSRF-Token.',
          },
        };
  return {
    ...cookie,
    [names.bearer]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token (or, on the refresh route, a refresh token) from POST /auth/login.',
    },
  };
}

type HookOption = RouteOptions['onRequest'] | RouteOptions['preHandler'];

function guardIn(hooks: HookOption): GuardDemand | undefined {
  const list = Array.isArray(hooks) ? hooks : hooks === undefined ? [] : [hooks];
  for (const hook of list) {
    const demand = guardDemands.get(hook as AuthGuard);
    if (demand !== undefined) return demand;
  }
  return undefined;
}

/**
 * Adds `security` to the schema of every route guarded by one of our guards (unless the route set its
 * own), so the generated document marks it with the guard's own locations: the bearer scheme where it
 * reads the header, the cookie scheme where it reads the cookie. Optional routes accept no credentials
 * too (`{}`).
 */
export function markGuardedRoute(route: RouteOptions, names: OpenApiNames): void {
  const demand = guardIn(route.onRequest) ?? guardIn(route.preHandler) ?? guardIn(route.preValidation);
  if (demand === undefined) return;
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.security !== undefined) return;
  const alternatives: Record<string, never[]>[] = [];
  if (demand.locations.header) alternatives.push({ [names.bearer]: [] });
  if (demand.locations.cookie) alternatives.push({ [names.cookie]: [] });
  // `security` is read by @fastify/swagger, whose type augmentation we do not import.
  route.schema = {
    ...schema,
    security: demand.kind === 'optional' ? [{}, ...alternatives] : alternatives,
  } as FastifySchema;
}
