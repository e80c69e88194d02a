import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Auth, AuthContext } from '../../auth.js';
import { AuthError, isAuthError } from '../../errors.js';
import { readBearerCredentials } from '../../http/bearer.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import type { CookieJar } from '../../http/cookies.js';
import type { CsrfPolicy } from '../../http/csrf.js';
import { authErrorResponse } from '../../http/error-response.js';
import type { ResolvedTokenLocations } from '../../http/token-locations.js';

/** What a guard demands. Each guard is a Fastify hook that replies itself when it refuses. */
export type GuardKind = 'access' | 'optional' | 'refresh' | 'fresh' | 'roles';

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

export interface GuardSettings {
  readonly auth: Auth;
  /** Lower-case header name to read. */
  readonly header: string;
  readonly scheme: string;
  readonly challenge: ChallengeOptions;
  /** Response header that carries a renewed access token (sliding renewal) in header mode. */
  readonly renewedTokenHeader: string;
  /** Cookie mode, when tokens may come from cookies. */
  readonly cookies: { readonly jar: CookieJar; readonly csrf: CsrfPolicy } | undefined;
}

/** What one guard demands: the token type and checks, and where the token may come from. */
export interface GuardDemand {
  readonly kind: GuardKind;
  readonly locations: ResolvedTokenLocations;
  /** For `roles`: any one of them admits. */
  readonly roles?: readonly string[];
}

/** Guards made by the plugin, with what they demand, so `onRoute` can mark routes in OpenAPI. */
export const guardDemands = new WeakMap<AuthGuard, GuardDemand>();

export function sendAuthError(
  reply: FastifyReply,
  error: AuthError,
  challenge: ChallengeOptions,
): FastifyReply {
  const response = authErrorResponse(error, challenge);
  return reply.code(response.statusCode).headers(response.headers).send(response.body);
}

interface FoundToken {
  token: string;
  fromCookie: boolean;
}

/**
 * Builds a guard. It never passes a request on an error it does not understand: a non-AuthError is
 * rethrown (or rejects), so Fastify answers 500 and logs it, rather than letting the request through.
 * It reads only the locations of its demand: a header-only guard never looks at a cookie (a request
 * with only cookies is `token_missing`), a cookie-only guard never looks at the header.
 */
export function createGuard(settings: GuardSettings, demand: GuardDemand): AuthGuard {
  const { auth, header, scheme, challenge, renewedTokenHeader, cookies } = settings;
  const { kind, roles = [] } = demand;
  const readsHeader = demand.locations.header;
  // Resolving the locations refused `cookie` without cookie mode; this only narrows the type.
  const cookieJar = demand.locations.cookie ? cookies?.jar : undefined;

  /**
   * The header first: a client's code sets it on purpose, whereas the browser attaches cookies to every
   * request. The cookie only when the header carries no credentials of our scheme. Never the query string.
   */
  function findToken(request: FastifyRequest): FoundToken | undefined {
    if (readsHeader) {
      const fromHeader = readBearerCredentials(request.headers[header], scheme);
      if (fromHeader !== undefined) return { token: fromHeader, fromCookie: false };
    }
    if (cookieJar === undefined) return undefined;
    const jar = cookieJar.read(request.headers.cookie);
    const fromCookie = kind === 'refresh' ? jar.refresh : jar.access;
    return fromCookie === undefined || fromCookie.length === 0
      ? undefined
      : { token: fromCookie, fromCookie: true };
  }

  function checkCsrf(request: FastifyRequest, context: AuthContext): void {
    const policy = cookies?.csrf;
    if (policy === undefined) return;
    const headers = request.headers;
    policy.check(
      {
        method: request.method,
        headerValue: headers[policy.header],
        origin: headers.origin,
        secFetchSite: single(headers['sec-fetch-site']),
        // The request's own origin as the client addressed it: Fastify takes the scheme and host from
        // X-Forwarded-Proto/-Host only when `trustProxy` trusts the peer.
        protocol: request.protocol,
        host: request.host,
      },
      context.claims.csrf,
    );
  }

  type Admitted = { context: AuthContext; fromCookie: boolean } | null;

  /** The whole check: at once when the core can answer at once, else a promise. */
  function check(request: FastifyRequest): Admitted | Promise<Admitted> {
    const found = findToken(request);
    if (found === undefined) {
      if (kind === 'optional') return null;
      throw new AuthError('token_missing');
    }
    const context =
      kind === 'refresh' ? auth.authenticateRefresh(found.token) : auth.authenticateNow(found.token);
    return context instanceof Promise
      ? context.then((settled) => admit(request, settled, found.fromCookie))
      : admit(request, context, found.fromCookie);
  }

  /** What the route demands beyond a valid token. */
  function admit(request: FastifyRequest, context: AuthContext, fromCookie: boolean): Admitted {
    // Header tokens cannot be sent by a cross-site form or image, so only cookie tokens need CSRF.
    if (fromCookie) checkCsrf(request, context);
    if (kind === 'fresh' && !context.fresh) throw new AuthError('fresh_token_required');
    if (kind === 'roles') auth.requireRoles(context, roles);
    return { context, fromCookie };
  }

  function accept(request: FastifyRequest, reply: FastifyReply, admitted: Admitted): undefined {
    request.auth = admitted?.context ?? null;
    const renewed = admitted?.context.renewedAccessToken;
    if (renewed !== undefined) {
      if (admitted?.fromCookie && cookies !== undefined) {
        reply.header(
          'set-cookie',
          cookies.jar.setTokens({ accessToken: renewed.token, accessMaxAge: renewed.expiresIn }),
        );
      } else {
        reply.header(renewedTokenHeader, renewed.token);
      }
    }
    return undefined;
  }

  function refuse(reply: FastifyReply, error: unknown): FastifyReply {
    if (isAuthError(error)) return sendAuthError(reply, error, challenge);
    throw error;
  }

  const guard: AuthGuard = (request, reply, done) => {
    let admitted: Admitted | Promise<Admitted>;
    try {
      admitted = check(request);
    } catch (error) {
      refuse(reply, error);
      return undefined;
    }
    if (admitted instanceof Promise) {
      return admitted.then(
        (settled) => accept(request, reply, settled),
        (error: unknown) => refuse(reply, error),
      );
    }
    accept(request, reply, admitted);
    // Outside the try: what the route does next is not the guard's to answer.
    done();
    return undefined;
  };
  guardDemands.set(guard, demand);
  return guard;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
