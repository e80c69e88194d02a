import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Auth, AuthContext } from '../../auth.js';
import { AuthError, isAuthError } from '../../errors.js';
import { readBearerToken } from '../../http/bearer.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import type { CookieJar } from '../../http/cookies.js';
import type { CsrfPolicy } from '../../http/csrf.js';
import { authErrorResponse } from '../../http/error-response.js';

/** What a guard demands. Each guard is a Fastify hook that replies itself when it refuses. */
export type GuardKind = 'access' | 'optional' | 'refresh' | 'fresh' | 'roles';

export type AuthGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

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

/** Guards made by the plugin, with what they demand, so `onRoute` can mark routes in OpenAPI. */
export const guardKinds = new WeakMap<AuthGuard, GuardKind>();

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
 * Builds a guard. It never resolves to "pass" on an error it does not understand: a non-AuthError is
 * rethrown, so Fastify answers 500 and logs it, rather than letting the request through.
 */
export function createGuard(
  settings: GuardSettings,
  kind: GuardKind,
  roles: readonly string[] = [],
): AuthGuard {
  const { auth, header, scheme, challenge, renewedTokenHeader, cookies } = settings;

  /** The header first; the cookie only when there is no Authorization header at all. Never the query string. */
  function findToken(request: FastifyRequest): FoundToken | undefined {
    const fromHeader = readBearerToken(request.headers[header], scheme);
    if (fromHeader !== undefined) return { token: fromHeader, fromCookie: false };
    if (cookies === undefined) return undefined;
    const jar = cookies.jar.read(request.headers.cookie);
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
        host: headers.host,
      },
      context.claims.csrf,
    );
  }

  async function authenticate(
    request: FastifyRequest,
  ): Promise<{ context: AuthContext; fromCookie: boolean } | null> {
    const found = findToken(request);
    if (found === undefined) {
      if (kind === 'optional') return null;
      throw new AuthError('token_missing');
    }
    const context =
      kind === 'refresh' ? await auth.authenticateRefresh(found.token) : await auth.authenticate(found.token);
    // Header tokens cannot be sent by a cross-site form or image, so only cookie tokens need CSRF.
    if (found.fromCookie) checkCsrf(request, context);
    if (kind === 'fresh' && !context.fresh) throw new AuthError('fresh_token_required');
    if (kind === 'roles') auth.requireRoles(context, roles);
    return { context, fromCookie: found.fromCookie };
  }

  const guard: AuthGuard = async (request, reply) => {
    try {
      const result = await authenticate(request);
      request.auth = result?.context ?? null;
      const renewed = result?.context.renewedAccessToken;
      if (renewed !== undefined) {
        if (result?.fromCookie && cookies !== undefined) {
          reply.header(
            'set-cookie',
            cookies.jar.setTokens({ accessToken: renewed.token, accessMaxAge: renewed.expiresIn }),
          );
        } else {
          reply.header(renewedTokenHeader, renewed.token);
        }
      }
      return undefined;
    } catch (error) {
      if (isAuthError(error)) return sendAuthError(reply, error, challenge);
      throw error;
    }
  };
  guardKinds.set(guard, kind);
  return guard;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
