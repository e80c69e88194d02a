import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAuthError } from '../../errors.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import { errorBody } from '../../http/error-response.js';
import { sendAuthError } from './guards.js';

/**
 * A Fastify error handler that answers in the contract's shape: `AuthError`s with their status,
 * `WWW-Authenticate` and code (through the plugin's layer where it is registered, so with its
 * `refusalBody` and challenge options; `challenge` serves only where it is not); client errors Fastify raises itself (schema validation, malformed
 * JSON, wrong content type, body too large) with their own 4xx status and code `bad_request`; anything
 * else as a logged 500 whose message reveals nothing.
 */
export function createAuthErrorHandler(challenge: ChallengeOptions = {}) {
  return function authErrorHandler(
    error: FastifyError | Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    if (isAuthError(error)) {
      // Where the plugin is registered its layer answers, so an AuthError a route throws gets the
      // application's own refusalBody too, as a guard's refusal does.
      const http = (request.server as Partial<FastifyInstance>).authjwt?.http;
      if (http === undefined) return sendAuthError(reply, error, challenge);
      const refusal = http.errorResponse(error);
      return reply.code(refusal.statusCode).headers(refusal.headers).send(refusal.body);
    }
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
