import type { AppContext } from '../context.js';
import { exchangeBody, externalMeResponse, tokenPairResponse } from '../routes/schemas.js';
import { userOfIdentity } from '../users/external-users.js';
import { claimsFor, device, tokenPairBody } from './auth.js';
import type { AppRoute } from './types.js';

/**
 * The routes of the OpenID Connect issuer (`OIDC_ISSUER`), none without it: its access tokens on
 * `/external/me`, and sign-in with its ID tokens into ordinary sessions of this app.
 */
export function externalRoutes({ auth, config }: AppContext): AppRoute[] {
  if (config.oidc === undefined) return [];
  const tags = ['external'];

  const me: AppRoute = {
    method: 'GET',
    path: '/external/me',
    // The issuer's tokens only: the app's own are refused here, as the issuer's are everywhere else.
    guard: { kind: 'requireExternal' },
    schema: {
      tags,
      summary: 'Who an access token of the OpenID issuer belongs to, and its scopes',
      response: { 200: externalMeResponse },
    },
    handle(request) {
      const context = request.auth;
      return {
        status: 200,
        json: { subject: context?.subject, issuer: context?.issuer, scopes: context?.scopes ?? [] },
      };
    },
  };

  const exchange: AppRoute<{ id_token: string; nonce?: string }> = {
    method: 'POST',
    path: '/auth/exchange',
    schema: {
      tags,
      summary: 'Sign in with an ID token of the OpenID issuer; returns an access and a refresh token',
      body: exchangeBody,
      response: { 200: tokenPairResponse },
    },
    async handle(request) {
      const { id_token: idToken, nonce } = request.body;
      const pair = await auth.loginWithIdToken({
        idToken,
        ...(nonce !== undefined && { nonce }),
        ...device(request),
        user: (identity) => {
          const user = userOfIdentity(identity);
          return { subject: user.id, claims: claimsFor(user) };
        },
      });
      return { status: 200, json: tokenPairBody(pair) };
    },
  };

  return [me, exchange];
}
