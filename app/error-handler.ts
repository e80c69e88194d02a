import { createAuthErrorHandler } from 'authjwt/fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { serverBusyAnswer } from './errors.js';
import { ServerBusyError } from './users/hashing-limit.js';

/**
 * Fastify's error handler: the library's (refusals, client errors and 500s in the contract's shape)
 * plus the app's one error of its own, 503 `server_busy` (see errors.ts, which Express and Hono use).
 */
export function createAppErrorHandler() {
  const authErrorHandler = createAuthErrorHandler();
  return function appErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
    if (!(error instanceof ServerBusyError)) return authErrorHandler(error, request, reply);
    const answer = serverBusyAnswer(error);
    return reply.code(answer.status).headers(answer.headers).send(answer.json);
  };
}
