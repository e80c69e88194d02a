import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAuthError } from '../../errors.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import { errorBody } from '../../http/error-response.js';
import { sendAuthError } from './guards.js';

/**
 * A Fastify error handler that answers in the contract's shape: `AuthError`s with their status,
 * `WWW-Authenticate` and code; client errors Fastify raises itself (schema validation, malformed
 * JSON, wrong content type, body too large) with their own 4xx status and code `bad_request`; anything
 * else as a logged 500 whose message reveals nothing.
 */
export function createAuthErrorHandler(challenge: ChallengeOptions = {}) {
  return function authErrorHandler(
    error: FastifyError | Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    if (isAuthError(error)) return sendAuthError(reply, error, challenge);
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(status, 'bad_request', clientMessage(error as FastifyError)));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(500, 'internal_error', 'Internal Server Error'));
  };
}

/** Fastify's validation messages name the field and rule, not the value, so they are safe to return. */
function clientMessage(error: FastifyError): string {
  return error.validation === undefined ? 'Bad request' : error.message;
}
