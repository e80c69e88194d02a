/*
 * An authjwt adapter for plain node:http, written only against `authjwt/http`: what a third party
 * writes for a framework authjwt has no adapter for. The layer decides; this file reads and writes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthContext } from 'authjwt';
import { isAuthError } from 'authjwt';
import { type HttpAuth, type HttpGuard, nodeRequestReader } from 'authjwt/http';

// A framework's adapter gives its own `RequestReader` (four functions: header, method, protocol,
// host); plain node:http has one in the layer.

/** A route handler that runs once the guard admitted the request (`null`: an optional guard, no token). */
export type GuardedHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  auth: AuthContext | null,
) => void;

/** Wraps a handler in a guard: refusals are answered here, in the contract's shape. */
export function guarded(http: HttpAuth, guard: HttpGuard, handler: GuardedHandler) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      const admission = await guard.check(request, nodeRequestReader);
      if (admission.header !== undefined) response.setHeader(admission.header.name, admission.header.value);
      handler(request, response, admission.context);
    } catch (error) {
      if (!isAuthError(error)) throw error;
      const refusal = http.errorResponse(error);
      response.writeHead(refusal.statusCode, { ...refusal.headers, 'content-type': 'application/json' });
      response.end(JSON.stringify(refusal.body));
    }
  };
}
