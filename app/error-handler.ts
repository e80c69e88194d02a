import { createAuthErrorHandler } from 'authjwt/fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServerBusyError } from './users/hashing-limit.js';

/**
 * The library's handler (refusals, client errors and 500s in the contract's shape) plus the app's one
 * error of its own: 503 `server_busy` when password hashing is at its limit. Not `store_unavailable`:
 * the store is fine, this instance is only busy, and a retry in a second may well succeed.
 */
export function createAppErrorHandler() {
  const authErrorHandler = createAuthErrorHandler();
  return function appErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
    if (!(error instanceof ServerBusyError)) return authErrorHandler(error, request, reply);
    return reply
      .code(503)
      .header('retry-after', '1')
      .header('cache-control', 'no-store')
      .send({ statusCode: 503, code: error.code, error: 'Service Unavailable', message: error.message });
  };
}
