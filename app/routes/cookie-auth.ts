import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';
import { claimsFor, device } from './auth.js';
import { type Credentials, createCredentialCheck } from './credentials.js';
import { credentialsBody } from './schemas.js';

/** Cookie mode for browsers: tokens in HttpOnly cookies, a CSRF value the page sends back in a header. */
export function cookieAuthRoutes(context: AppContext): FastifyPluginAsync {
  const { auth } = context;
  const checkCredentials = createCredentialCheck(context);
  return async (app) => {
    const { authjwt } = app;
    const tags = ['cookie auth'];
    const noContent = { 204: { type: 'null' } };

    app.post<{ Body: Credentials }>(
      '/auth/cookie/login',
      {
        schema: {
          tags,
          summary: 'Log in; sets the access, refresh and CSRF cookies',
          body: credentialsBody,
          response: noContent,
        },
      },
      async (request, reply) => {
        const user = await checkCredentials(request, request.body);
        const pair = await auth.login({
          subject: user.id,
          claims: claimsFor(user),
          csrf: true,
          ...device(request),
        });
        return authjwt.setTokenCookies(reply, pair).code(204).send();
      },
    );

    app.post(
      '/auth/cookie/refresh',
      {
        // The new tokens go into cookies only, so this route may (and does only) read the refresh cookie.
        onRequest: authjwt.requireRefresh({ from: 'cookie' }),
        schema: { tags, summary: 'Rotate the refresh cookie (send X-CSRF-Token)', response: noContent },
      },
      async (request, reply) =>
        authjwt
          .setTokenCookies(reply, await auth.refresh(request.auth))
          .code(204)
          .send(),
    );

    app.post(
      '/auth/cookie/logout',
      {
        // Clears the cookies, so it ends the session the cookies belong to, whatever header is sent.
        onRequest: authjwt.requireAccess({ from: 'cookie' }),
        schema: {
          tags,
          summary: 'End this session and clear the cookies (send X-CSRF-Token)',
          response: noContent,
        },
      },
      async (request, reply) => {
        if (request.auth) await auth.logout(request.auth);
        return authjwt.clearTokenCookies(reply).code(204).send();
      },
    );
  };
}
