/*
 * An authjwt adapter for plain node:http, written only against `authjwt/http`: what a third party
 * writes for a framework authjwt has no adapter for. The layer decides; this file reads and writes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthContext } from 'authjwt';
import { isAuthError } from 'authjwt';
import type { HttpAuth, HttpGuard, RequestReader } from 'authjwt/http';

/** How the layer reads a node:http request (behind a proxy, take the forwarded values you trust). */
export const nodeRequestReader: RequestReader<IncomingMessage> = {
  header: (request, name) => request.headers[name],
  method: (request) => request.method ?? 'GET',
  protocol: (request) => ('encrypted' in request.socket ? 'https' : 'http'),
  host: (request) => request.headers.host,
};

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
