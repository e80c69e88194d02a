import type { TokenPair } from 'authjwt';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AppContext } from '../build-app.js';
import type { User } from '../users/directory.js';
import { type Credentials, createCredentialCheck } from './credentials.js';
import { accessTokenResponse, credentialsBody, tokenPairResponse } from './schemas.js';

export function tokenPairBody(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
  };
}

/** The device fields shown on the sessions page. */
export function device(request: FastifyRequest) {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, ...(userAgent !== undefined && { userAgent }) };
}

/** The claims the app puts in access tokens: the roles, so role guards need no lookup. */
export function claimsFor(user: User) {
  return { roles: user.roles };
}

/** Login, refresh and fresh tokens (bearer mode). */
export function authRoutes(context: AppContext): FastifyPluginAsync {
  const { auth } = context;
  const checkCredentials = createCredentialCheck(context);
  return async (app) => {
    const { authjwt } = app;
    const tags = ['auth'];

    app.post<{ Body: Credentials }>(
      '/auth/login',
      {
        schema: {
          tags,
          summary: 'Log in; returns an access and a refresh token',
          body: credentialsBody,
          response: { 200: tokenPairResponse },
        },
      },
      async (request) => {
        const user = await checkCredentials(request, request.body);
        return tokenPairBody(
          await auth.login({ subject: user.id, claims: claimsFor(user), ...device(request) }),
        );
      },
    );

    app.post(
      '/auth/refresh',
      {
        // Tokens go back in the body, which page scripts can read: never fed by the refresh cookie.
        onRequest: authjwt.requireRefresh({ from: 'header' }),
        schema: {
          tags,
          summary: 'Exchange the refresh token (Authorization header) for a new pair',
          response: { 200: tokenPairResponse },
        },
      },
      async (request) => tokenPairBody(await auth.refresh(request.auth)),
    );

    app.post<{ Body: Credentials }>(
      '/auth/fresh',
      {
        // Answers with a token in the body, so only a token the caller's code sent continues its session.
        onRequest: authjwt.optionalAccess({ from: 'header' }),
        schema: {
          tags,
          summary: 'Re-enter the password for a fresh access token in the current session (or a new one)',
          body: credentialsBody,
          response: { 200: accessTokenResponse },
        },
      },
      async (request) => {
        const user = await checkCredentials(request, request.body);
        // The caller's session continues only if the token it sent belongs to the same user.
        const current = request.auth?.subject === user.id ? request.auth.sessionId : undefined;
        const fresh = await auth.freshAccessToken({
          subject: user.id,
          claims: claimsFor(user),
          ...device(request),
          ...(current !== undefined && { sessionId: current }),
        });
        return { access_token: fresh.accessToken, token_type: 'Bearer', expires_in: fresh.expiresIn };
      },
    );
  };
}
