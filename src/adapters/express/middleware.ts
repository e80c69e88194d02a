import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isAuthError } from '../../errors.js';
import type { Admission, HttpGuard } from '../../http/guard.js';
import type { HttpAuth } from '../../http/http-auth.js';
import type { RequestReader } from '../../http/request.js';
import { setRequestAuth } from './request-auth.js';

/**
 * Express's request as the HTTP layer reads it. `protocol` and `host` follow X-Forwarded-Proto/-Host
 * only when the app's `trust proxy` setting trusts the peer, as Express decides.
 */
export const expressRequestReader: RequestReader<Request> = {
  header: (request, name) => request.headers[name],
  method: (request) => request.method,
  protocol: (request) => request.protocol,
  host: hostOf,
};

type TrustProxy = (address: string | undefined, hop: number) => boolean;

/**
 * Express 5's `req.host`, the same on Express 4, whose `req.host` drops the port (and is deprecated):
 * the first X-Forwarded-Host when `trust proxy` trusts the peer, else Host.
 */
function hostOf(request: Request): string | undefined {
  const forwarded = request.headers['x-forwarded-host']; // Node joins repeated ones with commas
  if (typeof forwarded !== 'string' || forwarded === '' || !trustsPeer(request)) return request.headers.host;
  const comma = forwarded.indexOf(',');
  return comma === -1 ? forwarded : forwarded.slice(0, comma).trimEnd();
}

function trustsPeer(request: Request): boolean {
  // Express compiles the setting into this function, on every app (false when unset).
  const trust = request.app?.get('trust proxy fn') as TrustProxy | undefined;
  return trust?.(request.socket.remoteAddress, 0) === true;
}

/** Writes a refusal in the contract's shape; anything that is not an `AuthError` goes to `next`. */
export function refuse(http: HttpAuth, response: Response, next: NextFunction, error: unknown): void {
  if (!isAuthError(error)) {
    next(error);
    return;
  }
  const answer = http.errorResponse(error);
  response.status(answer.statusCode).set(answer.headers).json(answer.body);
}

/**
 * The Express middleware of a layer guard: it sets `req.auth` and calls `next()` once admitted, or
 * answers the refusal itself. Synchronous when the core answers at once (the cached steady state).
 */
export function expressGuard(http: HttpAuth, guard: HttpGuard): RequestHandler {
  function accept(request: Request, response: Response, next: NextFunction, admission: Admission): void {
    setRequestAuth(request, admission.context);
    if (admission.header !== undefined) response.append(admission.header.name, admission.header.value);
    next();
  }
  return (request, response, next) => {
    let admission: Admission | Promise<Admission>;
    try {
      admission = guard.check(request, expressRequestReader);
    } catch (error) {
      refuse(http, response, next, error);
      return;
    }
    if (admission instanceof Promise) {
      admission.then(
        (settled) => accept(request, response, next, settled),
        (error: unknown) => refuse(http, response, next, error),
      );
      return;
    }
    accept(request, response, next, admission);
  };
}
