/*
 * authjwt on Fastify: log in with a password, call /me and a role-guarded route, refresh, log out;
 * with `cookies: true` the same for browsers, in HttpOnly cookies with a CSRF header. Run it with
 * `npx tsx --conditions=authjwt-source examples/fastify/main.ts` (README, "Run it").
 */
// #region quick-start
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createAuth, type TokenPair } from 'authjwt';
import { authjwtFastify, createAuthErrorHandler, openApiSecuritySchemes } from 'authjwt/fastify';
import Fastify from 'fastify';
import { checkPassword, readCredentials } from './users.js'; // alice / alice-pass, admin / admin-pass

/** Login and refresh answer alike: the OAuth 2 token response (RFC 6749, section 5.1). */
const tokenBody = (pair: TokenPair) => ({
  access_token: pair.accessToken,
  refresh_token: pair.refreshToken,
  token_type: pair.tokenType,
  expires_in: pair.expiresIn,
});

export async function buildApp({ secret, cookies = false }: { secret: string; cookies?: boolean }) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret }, // at least 32 random bytes
    // store: redisStore({ client }) from 'authjwt/redis' to share sessions; default memoryStore()
  });
  const app = Fastify();
  app.setErrorHandler(createAuthErrorHandler()); // AuthError -> its status, WWW-Authenticate, body
  await app.register(swagger, { openapi: { components: { securitySchemes: openApiSecuritySchemes() } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authjwtFastify, { auth, cookies });
  app.addHook('onClose', () => auth.close());
  const { authjwt } = app;

  /** The password checked under login throttling (429 past the limits), then a new session. */
  async function logIn(body: unknown, client: string, csrf = false) {
    const { username, password } = readCredentials(body);
    const user = await auth.throttleLogin({ account: username, client }, () =>
      checkPassword(username, password),
    );
    return auth.login({ subject: user.id, claims: { roles: user.roles }, csrf });
  }

  app.post('/auth/login', async (request) => tokenBody(await logIn(request.body, request.ip)));
  // The refresh token from the Authorization header only: this route answers with tokens in its body.
  app.post('/auth/refresh', { onRequest: authjwt.requireRefresh() }, async (request) =>
    tokenBody(await auth.refresh(request.auth)),
  );
  app.post('/auth/logout', { onRequest: authjwt.requireAccess() }, async (request, reply) => {
    if (request.auth) await auth.logout(request.auth);
    return reply.code(204).send();
  });
  app.get('/me', { onRequest: authjwt.requireAccess() }, async (request) => ({
    user: request.auth?.subject,
    roles: request.auth?.roles,
  }));
  app.get('/admin', { onRequest: authjwt.requireRoles('admin') }, async () => ({ admin: true }));
  // #endregion

  // #region cookies
  if (cookies) {
    // The cookie routes read cookies only: the new tokens go back into cookies, never into a body.
    const accessCookie = authjwt.requireAccess({ from: 'cookie' });
    const refreshCookie = authjwt.requireRefresh({ from: 'cookie' });
    app.post('/auth/cookie/login', async (request, reply) => {
      const pair = await logIn(request.body, request.ip, true);
      return authjwt.setTokenCookies(reply, pair).code(204).send();
    });
    app.post('/auth/cookie/refresh', { onRequest: refreshCookie }, async (request, reply) => {
      const pair = await auth.refresh(request.auth);
      return authjwt.setTokenCookies(reply, pair).code(204).send();
    });
    app.post('/auth/cookie/logout', { onRequest: accessCookie }, async (request, reply) => {
      if (request.auth) await auth.logout(request.auth);
      return authjwt.clearTokenCookies(reply).code(204).send();
    });
  }
  // #endregion
  return app;
}
