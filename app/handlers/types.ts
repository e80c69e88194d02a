import type { AuthContext, TokenPair } from 'authjwt';

/**
 * Which of the library's guards a route runs before its handler, and where it reads the token: each
 * framework's adapter has the same factories (`requireAccess`, `optionalAccess`, ...).
 */
export type GuardSpec =
  | { kind: 'requireAccess'; from?: 'header' | 'cookie' }
  | { kind: 'optionalAccess'; from: 'header' }
  | { kind: 'requireRefresh'; from: 'header' | 'cookie' }
  | { kind: 'requireFresh' }
  | { kind: 'requireRoles'; roles: [string, ...string[]] }
  | { kind: 'requireExternal' };

/** A request as a handler sees it: checked by the guard, parsed and validated against the schemas. */
export interface AppRequest<Body = unknown, Params = Record<string, string>> {
  /** The verified context; `null` on a route without a guard, or behind `optionalAccess` without a token. */
  auth: AuthContext | null;
  body: Body;
  params: Params;
  /** The connection's address: the app trusts no proxy header. */
  ip: string;
  userAgent: string | undefined;
}

/** What a handler answers; each framework writes it. Refusals are thrown (AuthError, ServerBusyError). */
export interface AppAnswer {
  status: number;
  /** A JSON body. */
  json?: unknown;
  /** A body of another type (the page, its files, metrics), with its content type. */
  text?: { type: string; body: string };
  headers?: Record<string, string>;
  /** Token cookies: the pair's to set, or ours to clear. */
  cookies?: { set: TokenPair } | 'clear';
}

/**
 * Fastify's route schema: `body` and `params` validate (on every framework), the rest documents the
 * route in the OpenAPI document (Fastify only).
 */
export interface RouteSchema {
  tags?: string[];
  summary?: string;
  body?: object;
  params?: object;
  response?: Record<number, object>;
  /** Left out of the OpenAPI document. */
  hide?: boolean;
}

/** One route of the app: where, behind which guard, validated by which schemas, and what it does. */
export interface AppRoute<Body = unknown, Params = Record<string, string>> {
  method: 'GET' | 'POST' | 'DELETE';
  /** `:name` marks a parameter, as all three routers read it. */
  path: string;
  guard?: GuardSpec;
  schema: RouteSchema;
  // A method, so a route of a narrower body still counts as an AppRoute (bivariant parameter).
  handle(request: AppRequest<Body, Params>): AppAnswer | Promise<AppAnswer>;
}

/** The contract's 404, in the body shape of every refusal. */
export function notFound(message: string): AppAnswer {
  return { status: 404, json: { statusCode: 404, code: 'not_found', error: 'Not Found', message } };
}

export const noContentAnswer: AppAnswer = Object.freeze({ status: 204 });
