import { IncomingMessage } from 'node:http';
import type { Context, Env, ErrorHandler, Handler, MiddlewareHandler, Next } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Auth, AuthContext } from '../../auth.js';
import { isAuthError } from '../../errors.js';
import { errorBody } from '../../http/error-response.js';
import type { Admission, HttpGuard } from '../../http/guard.js';
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
import { firstValue, type RequestReader } from '../../http/request.js';
import type { UpgradeCredentials } from '../../http/upgrade.js';
import type { TokenPair } from '../../sessions/types.js';

export type { ExternalGuardOptions, GuardOptions, HttpAuthOptions as AuthjwtHonoOptions };

/** A middleware guard's `then`: the next handler of the chain. */
const callNext: Handler = (_c, next) => next();

/** The Variables a required guard sets: `c.var.auth` is the verified context. */
export type AuthEnv = { Variables: { auth: AuthContext } };
/** The Variables an optional guard sets: `c.var.auth` is `null` without a token. */
export type OptionalAuthEnv = { Variables: { auth: AuthContext | null } };

/**
 * Hono's context as the HTTP layer reads it. On @hono/node-server the request URL's scheme comes from
 * the socket and its host from the `Host` header; behind a proxy, put a middleware that rewrites them
 * from the headers your proxy sets before the guards.
 */
export const honoRequestReader: RequestReader<Context> = {
  header: honoHeader,
  method: (c) => c.req.method,
  protocol: (c) => (c.req.url.startsWith('https:') ? 'https' : 'http'),
  host: (c) => firstValue(honoHeader(c, 'host')),
};

/**
 * The Node request under @hono/node-server (its `incoming` binding). Reading a header there costs a
 * property read; `c.req.header()` first builds the request's WHATWG `Headers` from Node's. Its
 * values are Node's, as the Express and node:http readers see them. Elsewhere (another runtime),
 * `undefined`.
 */
function nodeRequestOf(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}

function honoHeader(c: Context, name: string): string | string[] | undefined {
  const incoming = nodeRequestOf(c);
  return incoming === undefined ? c.req.header(name) : incoming.headers[name];
}

/**
 * Hono middleware guards and helpers. Behind a required guard `c.var.auth` is the context; behind
 * `optionalAccess()` it is the context or `null`.
 */
/**
 * A guard: Hono middleware (`app.get(path, guard, handler)`), and `guard.handle(handler)`, the guard
 * and the route's handler as one handler (`app.get(path, guard.handle(handler))`). Same checks,
 * answers and context either way; the second is for hot routes: Hono calls a route's only handler
 * directly, whereas two are composed into a chain per request, which alone cost about a tenth of a
 * small route's throughput (measured with a middleware that does nothing; bench/RESULTS.md).
 */
export type HonoGuard<E extends Env> = MiddlewareHandler<E> & {
  handle(handler: Handler<E>): Handler<E>;
};

export interface AuthjwtHono extends GuardFactories<HonoGuard<AuthEnv>, HonoGuard<OptionalAuthEnv>> {
  readonly auth: Auth;
  readonly http: HttpAuth;
  readonly cookies: CookieMode | undefined;
  /**
   * Protect everything with exclusions: `app.use(authjwt.protect({ except: ['/health', '/public/*'] }))`
   * before the routes demands a valid access token everywhere else (on `c.req.path`); on the open
   * paths `c.var.auth` is `null`.
   */
  protect(options?: ProtectOptions): MiddlewareHandler<OptionalAuthEnv>;
  /** Cookie mode: appends the access, refresh and CSRF cookies of a token pair to the answer. */
  setTokenCookies(c: Context, pair: TokenPair): void;
  /** Cookie mode: appends the cookies that clear every cookie of ours. */
  clearTokenCookies(c: Context): void;
  /** Serves the JWKS (mount it at `/.well-known/jwks.json`). */
  readonly jwks: Handler;
  /**
   * For `app.onError`: an `AuthError` in the contract's shape; anything else a 500 that reveals
   * nothing, the error itself reported as a process warning.
   */
  readonly onError: ErrorHandler;
  /** The credentials of a WebSocket upgrade (`@hono/node-ws`), for `SocketSessions.accept()`. */
  upgradeCredentials(c: Context): UpgradeCredentials;
}

/**
 * The Hono adapter (Hono 4):
 *
 * ```ts
 * const authjwt = authjwtHono({ auth });
 * app.get('/me', authjwt.requireAccess(), (c) => c.json({ user: c.var.auth.subject }));
 * ```
 */
export function authjwtHono(options: HttpAuthOptions): AuthjwtHono {
  const http = createHttpAuth(options);

  function refusal(c: Context, error: unknown): Response {
    if (!isAuthError(error)) throw error;
    const answer = http.errorResponse(error);
    return c.json(answer.body as object, answer.statusCode as ContentfulStatusCode, answer.headers);
  }

  function appendHeader(c: Context, name: string, value: string | string[]): void {
    for (const one of Array.isArray(value) ? value : [value]) c.header(name, one, { append: true });
  }

  /**
   * Runs the guard, then `then(c, next)` with the context set (and a renewal header appended), or
   * answers the refusal. Not async: when the check is decided at once (cached sessions), `then` runs
   * in this turn, without a promise of our own and the microtask that awaiting one costs. Nothing is
   * allocated per request on that path either: `then` is the route's handler or `callNext`.
   */
  function guarded(guard: HttpGuard, c: Context, next: Next, then: Handler): ReturnType<Handler> {
    let admission: Admission | Promise<Admission>;
    try {
      admission = guard.check(c, honoRequestReader);
    } catch (error) {
      return refusal(c, error);
    }
    return admission instanceof Promise
      ? admission.then(
          (settled) => admitted(c, next, then, settled),
          (error: unknown) => refusal(c, error),
        )
      : admitted(c, next, then, admission);
  }

  function admitted(c: Context, next: Next, then: Handler, admission: Admission): ReturnType<Handler> {
    c.set('auth' as never, admission.context as never);
    if (admission.header !== undefined) appendHeader(c, admission.header.name, admission.header.value);
    return then(c, next);
  }

  function guardOf(guard: HttpGuard): HonoGuard<Env> {
    // Not async (see guarded): Hono awaits whatever a middleware returns.
    const middleware = ((c, next) => guarded(guard, c, next, callNext)) as MiddlewareHandler;
    return Object.assign(middleware, {
      handle:
        (handler: Handler): Handler =>
        (c, next) =>
          guarded(guard, c, next, handler),
    });
  }

  return {
    auth: http.auth,
    http,
    cookies: http.cookies,
    ...adaptGuards<HonoGuard<AuthEnv>, HonoGuard<OptionalAuthEnv>>(
      http,
      guardOf as (guard: HttpGuard) => HonoGuard<AuthEnv>,
    ),
    protect(protectOptions) {
      const { guard, isOpen } = http.protect(protectOptions);
      const middleware = guardOf(guard) as MiddlewareHandler<OptionalAuthEnv>;
      return (c, next) => {
        if (!isOpen(c.req.path)) return middleware(c, next);
        c.set('auth', null);
        return next();
      };
    },
    setTokenCookies: (c, pair) => appendHeader(c, 'set-cookie', http.tokenCookies(pair)),
    clearTokenCookies: (c) => appendHeader(c, 'set-cookie', http.clearedCookies()),
    jwks: (c) => {
      const jwks = http.jwks();
      return c.json(jwks.body, 200, jwks.headers);
    },
    onError: (error, c) => {
      if (isAuthError(error)) return refusal(c, error);
      // Reported as the socket guard reports what it does not understand: a process warning.
      process.emitWarning(error, { type: 'AuthjwtUnhandledError' });
      return c.json(errorBody(500, 'internal_error', 'Internal Server Error'), 500);
    },
    upgradeCredentials: (c) => http.upgradeCredentials(c, honoRequestReader),
  };
}
