import type { TokenPair } from 'authjwt';
import type { AppContext } from '../context.js';
import { accessTokenResponse, credentialsBody, tokenPairResponse } from '../routes/schemas.js';
import type { User } from '../users/directory.js';
import { type Credentials, createCredentialCheck } from './credentials.js';
import type { AppRequest, AppRoute } from './types.js';

export function tokenPairBody(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
  };
}

/** The device fields shown on the sessions page. */
export function device(request: Pick<AppRequest, 'ip' | 'userAgent'>) {
  return { ip: request.ip, ...(request.userAgent !== undefined && { userAgent: request.userAgent }) };
}

/** The claims the app puts in access tokens: the roles, so role guards need no lookup. */
export function claimsFor(user: User) {
  return { roles: user.roles };
}

/** Login, refresh and fresh tokens (bearer mode). */
export function authRoutes(context: AppContext): AppRoute[] {
  const { auth } = context;
  const checkCredentials = createCredentialCheck(context);
  const tags = ['auth'];

  const login: AppRoute<Credentials> = {
    method: 'POST',
    path: '/auth/login',
    schema: {
      tags,
      summary: 'Log in; returns an access and a refresh token',
      body: credentialsBody,
      response: { 200: tokenPairResponse },
    },
    async handle(request) {
      const user = await checkCredentials(request.ip, request.body);
      const pair = await auth.login({ subject: user.id, claims: claimsFor(user), ...device(request) });
      return { status: 200, json: tokenPairBody(pair) };
    },
  };

  const refresh: AppRoute = {
    method: 'POST',
    path: '/auth/refresh',
    // Tokens go back in the body, which page scripts can read: never fed by the refresh cookie.
    guard: { kind: 'requireRefresh', from: 'header' },
    schema: {
      tags,
      summary: 'Exchange the refresh token (Authorization header) for a new pair',
      response: { 200: tokenPairResponse },
    },
    async handle(request) {
      return { status: 200, json: tokenPairBody(await auth.refresh(request.auth, device(request))) };
    },
  };

  const fresh: AppRoute<Credentials> = {
    method: 'POST',
    path: '/auth/fresh',
    // Answers with a token in the body, so only a token the caller's code sent continues its session.
    guard: { kind: 'optionalAccess', from: 'header' },
    schema: {
      tags,
      summary: 'Re-enter the password for a fresh access token in the current session (or a new one)',
      body: credentialsBody,
      response: { 200: accessTokenResponse },
    },
    async handle(request) {
      const user = await checkCredentials(request.ip, request.body);
      // The caller's session continues only if the token it sent belongs to the same user.
      const current = request.auth?.subject === user.id ? request.auth.sessionId : undefined;
      const token = await auth.freshAccessToken({
        subject: user.id,
        claims: claimsFor(user),
        ...device(request),
        ...(current !== undefined && { sessionId: current }),
      });
      return {
        status: 200,
        json: { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn },
      };
    },
  };

  return [login, refresh, fresh];
}
