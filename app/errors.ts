import { type AuthError, isAuthError } from 'authjwt';
import { errorBody, type Refusal } from 'authjwt/http';
import { ServerBusyError } from './users/hashing-limit.js';

/**
 * A request the app refuses before its handler, as Fastify does: a body it cannot parse or of an
 * unsupported type or size (400, 413, 415), a path it cannot decode (400), a parameter too long for
 * the router (414), a body or parameter its schema refuses (400, with the schema's message, which
 * names the field and rule, never the value).
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly statusCode: number;
  /** Set when the request's body was not read to its end: the connection cannot be reused. */
  readonly closeConnection: boolean;

  constructor(statusCode: number, message = 'Bad request', options: { closeConnection?: boolean } = {}) {
    super(message);
    this.statusCode = statusCode;
    this.closeConnection = options.closeConnection ?? false;
  }
}

/** An error answered in the contract's shape: status, headers and the JSON body. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  json: unknown;
  /** An error nobody foresaw: answered 500 without detail, and to be logged. */
  unexpected?: true;
}

/**
 * The app's one error of its own: 503 `server_busy` when password hashing is at its limit. Not
 * `store_unavailable`: the store is fine, this instance is only busy, and a retry in a second may well
 * succeed.
 */
export function serverBusyAnswer(error: ServerBusyError): ErrorAnswer {
  return {
    status: 503,
    headers: { 'retry-after': '1', 'cache-control': 'no-store' },
    json: { statusCode: 503, code: error.code, error: 'Service Unavailable', message: error.message },
  };
}

/**
 * The answer to whatever a request's handling threw, on Express and Hono (Fastify's is
 * app/error-handler.ts, to the same table): the library's refusals through its HTTP layer (`refusal`,
 * the adapter's `http.errorResponse`), `server_busy`, client errors as `bad_request` with their own
 * status, and anything else as a 500 that reveals nothing.
 */
export function errorAnswer(error: unknown, refusal: (error: AuthError) => Refusal): ErrorAnswer {
  if (isAuthError(error)) {
    const answer = refusal(error);
    return { status: answer.statusCode, headers: answer.headers, json: answer.body };
  }
  if (error instanceof ServerBusyError) return serverBusyAnswer(error);
  const status = clientStatus(error);
  if (status !== undefined) {
    const own = error instanceof ClientError;
    return {
      status,
      headers: own && error.closeConnection ? { connection: 'close' } : {},
      // A framework's own message may quote the request (a path, a header): only ours are sent.
      json: errorBody(status, 'bad_request', own ? error.message : 'Bad request'),
    };
  }
  return {
    status: 500,
    headers: {},
    json: errorBody(500, 'internal_error', 'Internal Server Error'),
    unexpected: true,
  };
}

/** The 4xx status an error carries (ours, or a framework's `status`/`statusCode`). */
function clientStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof statusCode === 'number' ? statusCode : status;
  return typeof value === 'number' && value >= 400 && value < 500 ? value : undefined;
}
