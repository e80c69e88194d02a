import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { type AuthError, isAuthError } from '../../errors.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import { authErrorResponse } from '../../http/error-response.js';
import type { Admission, GuardDemand, GuardKind, HttpGuard } from '../../http/guard.js';
import type { HttpAuth } from '../../http/http-auth.js';
import type { RequestReader } from '../../http/request.js';

export type { GuardDemand, GuardKind };

/**
 * A guard, as a Fastify hook in callback style: when the check needs no store call it decides at
 * once and calls `done` (no promise per request); otherwise it returns a promise, which Fastify
 * awaits instead. A refusal is answered by the guard itself.
 */
export type AuthGuard = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => Promise<FastifyReply | undefined> | undefined;

/** Guards made by the plugin, with what they demand, so `onRoute` can mark routes in OpenAPI. */
export const guardDemands = new WeakMap<AuthGuard, GuardDemand>();

/**
 * Fastify's request as the HTTP layer reads it. `protocol` and `host` follow X-Forwarded-Proto/-Host
 * only when Fastify's `trustProxy` trusts the peer.
 */
export const fastifyRequestReader: RequestReader<FastifyRequest> = {
  header: (request, name) => request.headers[name],
  method: (request) => request.method,
  protocol: (request) => request.protocol,
  host: (request) => request.host,
};

/** Answers a refusal in the contract's shape: status, `WWW-Authenticate`, `Retry-After` and body. */
export function sendAuthError(reply: FastifyReply, error: AuthError, challenge: ChallengeOptions = {}) {
  const response = authErrorResponse(error, challenge);
  return reply.code(response.statusCode).headers(response.headers).send(response.body);
}

/**
 * The Fastify hook of a layer guard. It never passes a request on an error it does not understand: a
 * non-AuthError is rethrown (or rejects), so Fastify answers 500 and logs it.
 */
export function fastifyGuard(http: HttpAuth, guard: HttpGuard): AuthGuard {
  function accept(request: FastifyRequest, reply: FastifyReply, admission: Admission): undefined {
    request.auth = admission.context;
    if (admission.header !== undefined) reply.header(admission.header.name, admission.header.value);
    return undefined;
  }

  function refuse(reply: FastifyReply, error: unknown): FastifyReply {
    if (isAuthError(error)) {
      const refusal = http.errorResponse(error);
      return reply.code(refusal.statusCode).headers(refusal.headers).send(refusal.body);
    }
    throw error;
  }

  const hook: AuthGuard = (request, reply, done) => {
    let admission: Admission | Promise<Admission>;
    try {
      admission = guard.check(request, fastifyRequestReader);
    } catch (error) {
      refuse(reply, error);
      return undefined;
    }
    if (admission instanceof Promise) {
      return admission.then(
        (settled) => accept(request, reply, settled),
        (error: unknown) => refuse(reply, error),
      );
    }
    accept(request, reply, admission);
    // Outside the try: what the route does next is not the guard's to answer.
    done();
    return undefined;
  };
  guardDemands.set(hook, guard.demand);
  return hook;
}
