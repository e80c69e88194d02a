import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Auth, AuthContext } from '../../auth.js';
import {
  adaptGuards,
  type CookieMode,
  createHttpAuth,
  type ExternalGuardOptions,
  type GuardFactories,
  type GuardOptions,
  type HttpAuth,
  type HttpAuthOptions,
  type ProtectOptions,
} from '../../http/http-auth.js';
import { nodeRequestReader } from '../../http/request.js';
import type { UpgradeCredentials } from '../../http/upgrade.js';
import type { TokenPair } from '../../sessions/types.js';
import { expressGuard, expressRequestReader, refuse } from './middleware.js';

export type { ExternalGuardOptions, GuardOptions, HttpAuthOptions as AuthjwtExpressOptions };
export { expressRequestReader };

declare module 'express-serve-static-core' {
  interface Request {
    /** The verified token's context after a guard; `null` after an optional guard without a token. */
    auth?: AuthContext | null;
  }
}

/** A request a guard admitted: its context is there, and not null. */
export type AuthenticatedRequest = Request & { auth: AuthContext };

/** Express middleware guards and helpers over the framework-free HTTP layer (`authjwt/http`). */
export interface AuthjwtExpress extends GuardFactories<RequestHandler> {
  readonly auth: Auth;
  /** The HTTP layer under these middlewares. */
  readonly http: HttpAuth;
  /** Cookie mode's names and CSRF policy; `undefined` in header mode. */
  readonly cookies: CookieMode | undefined;
  /**
   * Protect everything with exclusions: `app.use(authjwt.protect({ except: ['/health', '/public/*'] }))`
   * before the routes demands a valid access token everywhere else (on `req.path`).
   */
  protect(options?: ProtectOptions): RequestHandler;
  /**
   * A route handler behind a guard, with `req.auth` typed as present:
   * `app.get('/me', authjwt.requireAccess(), authjwt.handler((req, res) => res.json(req.auth.subject)))`.
   * Without a guard before it, it fails the request (500) rather than run without a context.
   */
  handler(handle: (request: AuthenticatedRequest, response: Response) => unknown): RequestHandler;
  /** Cookie mode: sets the access, refresh and CSRF cookies for a token pair. */
  setTokenCookies(response: Response, pair: TokenPair): Response;
  /** Cookie mode: clears every cookie of ours. */
  clearTokenCookies(response: Response): Response;
  /** Serves the JWKS (mount it at `/.well-known/jwks.json`). */
  readonly jwks: RequestHandler;
  /**
   * An error handler (register it last) that answers an `AuthError` thrown by a route in the
   * contract's shape and passes anything else on.
   */
  readonly errorHandler: ErrorRequestHandler;
  /**
   * The credentials of a WebSocket upgrade (a `ws` server on the same HTTP server), for
   * `SocketSessions.accept()` of `authjwt/ws`. The upgrade request has not been through Express, so
   * its scheme and host come from the socket and `Host` header (see `nodeRequestReader`).
   */
  upgradeCredentials(request: IncomingMessage): UpgradeCredentials;
}

/**
 * The Express adapter (Express 5, and 4.21 or later). Guards are middlewares that answer refusals
 * themselves:
 *
 * ```ts
 * const authjwt = authjwtExpress({ auth });
 * app.get('/me', authjwt.requireAccess(), authjwt.handler((req, res) => res.json({ user: req.auth.subject })));
 * ```
 */
export function authjwtExpress(options: HttpAuthOptions): AuthjwtExpress {
  const http = createHttpAuth(options);
  return {
    auth: http.auth,
    http,
    cookies: http.cookies,
    ...adaptGuards<RequestHandler>(http, (guard) => expressGuard(http, guard)),
    protect(protectOptions) {
      const { guard, isOpen } = http.protect(protectOptions);
      const middleware = expressGuard(http, guard);
      return (request, response, next) => {
        if (isOpen(request.path)) next();
        else middleware(request, response, next);
      };
    },
    handler: (handle) => (request, response, next) => {
      if (request.auth === undefined || request.auth === null) {
        next(new Error('authjwt: a handler() route ran without an admitting guard before it'));
        return;
      }
      Promise.resolve(handle(request as AuthenticatedRequest, response)).catch(next);
    },
    setTokenCookies: (response, pair) => response.append('set-cookie', http.tokenCookies(pair)),
    clearTokenCookies: (response) => response.append('set-cookie', http.clearedCookies()),
    jwks: (_request, response) => {
      const jwks = http.jwks();
      response.set(jwks.headers).json(jwks.body);
    },
    errorHandler: (error, _request, response, next) => {
      if (response.headersSent) {
        next(error);
        return;
      }
      refuse(http, response, next, error);
    },
    upgradeCredentials: (request) => http.upgradeCredentials(request, nodeRequestReader),
  };
}
