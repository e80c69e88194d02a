import type { TokenPair } from 'authjwt';
import type { AppContext } from '../context.js';
import { credentialsBody, noContent } from '../routes/schemas.js';
import { claimsFor, device } from './auth.js';
import { type Credentials, createCredentialCheck } from './credentials.js';
import type { AppRoute } from './types.js';

/**
 * The access token's lifetime in seconds (the body's `expires_in` in bearer mode). A page cannot read
 * the HttpOnly cookie, and needs this to renew it before it lapses (authjwt/client does).
 */
export const expiresInHeaderName = 'access-token-expires-in';
const expiresInHeader = (pair: TokenPair) => ({ [expiresInHeaderName]: String(pair.expiresIn) });

/** Cookie mode for browsers: tokens in HttpOnly cookies, a CSRF value the page sends back in a header. */
export function cookieAuthRoutes(context: AppContext): AppRoute[] {
  const { auth } = context;
  const checkCredentials = createCredentialCheck(context);
  const tags = ['cookie auth'];

  const login: AppRoute<Credentials> = {
    method: 'POST',
    path: '/auth/cookie/login',
    schema: {
      tags,
      summary: 'Log in; sets the access, refresh and CSRF cookies',
      body: credentialsBody,
      response: noContent,
    },
    async handle(request) {
      const user = await checkCredentials(request.ip, request.body);
      const pair = await auth.login({
        subject: user.id,
        claims: claimsFor(user),
        csrf: true,
        ...device(request),
      });
      return { status: 204, headers: expiresInHeader(pair), cookies: { set: pair } };
    },
  };

  const refresh: AppRoute = {
    method: 'POST',
    path: '/auth/cookie/refresh',
    // The new tokens go into cookies only, so this route may (and does only) read the refresh cookie.
    guard: { kind: 'requireRefresh', from: 'cookie' },
    schema: { tags, summary: 'Rotate the refresh cookie (send X-CSRF-Token)', response: noContent },
    async handle(request) {
      const pair = await auth.refresh(request.auth, device(request));
      return { status: 204, headers: expiresInHeader(pair), cookies: { set: pair } };
    },
  };

  const logout: AppRoute = {
    method: 'POST',
    path: '/auth/cookie/logout',
    // Clears the cookies, so it ends the session the cookies belong to, whatever header is sent.
    guard: { kind: 'requireAccess', from: 'cookie' },
    schema: {
      tags,
      summary: 'End this session and clear the cookies (send X-CSRF-Token)',
      response: noContent,
    },
    async handle(request) {
      if (request.auth) await auth.logout(request.auth);
      return { status: 204, cookies: 'clear' };
    },
  };

  return [login, refresh, logout];
}
