import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Auth, AuthContext } from '../../auth.js';
import { AuthError, isAuthError } from '../../errors.js';
import { readBearerToken } from '../../http/bearer.js';
import type { ChallengeOptions } from '../../http/challenge.js';
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
  /** Response header that carries a renewed access token (sliding renewal). */
  readonly renewedTokenHeader: string;
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

/**
 * Builds a guard. It never resolves to "pass" on an error it does not understand: a non-AuthError is
 * rethrown, so Fastify answers 500 and logs it, rather than letting the request through.
 */
export function createGuard(
  settings: GuardSettings,
  kind: GuardKind,
  roles: readonly string[] = [],
): AuthGuard {
  const { auth, header, scheme, challenge, renewedTokenHeader } = settings;

  async function authenticate(request: FastifyRequest): Promise<AuthContext | null> {
    const token = readBearerToken(request.headers[header], scheme);
    if (token === undefined) {
      if (kind === 'optional') return null;
      throw new AuthError('token_missing');
    }
    if (kind === 'refresh') return auth.authenticateRefresh(token);
    const context = await auth.authenticate(token);
    if (kind === 'fresh' && !context.fresh) throw new AuthError('fresh_token_required');
    if (kind === 'roles') auth.requireRoles(context, roles);
    return context;
  }

  const guard: AuthGuard = async (request, reply) => {
    try {
      const context = await authenticate(request);
      request.auth = context;
      if (context?.renewedAccessToken !== undefined) {
        reply.header(renewedTokenHeader, context.renewedAccessToken.token);
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
