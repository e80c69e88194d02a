/*
 * authjwt on Express 5: log in with a password, call /me and a role-guarded route, refresh, log out;
 * with `cookies: true` the same for browsers, in HttpOnly cookies with a CSRF header. Run it with
 * `npx tsx --conditions=authjwt-source examples/express/main.ts` (README, "Run it").
 */
// #region quick-start
import { createAuth, type TokenPair } from 'authjwt';
import { authjwtExpress } from 'authjwt/express';
import express from 'express';
import { checkPassword, readCredentials } from './users.js'; // alice / alice-pass, admin / admin-pass

/** Login and refresh answer alike: the OAuth 2 token response (RFC 6749, section 5.1). */
const tokenBody = (pair: TokenPair) => ({
  access_token: pair.accessToken,
  refresh_token: pair.refreshToken,
  token_type: pair.tokenType,
  expires_in: pair.expiresIn,
});

export function buildApp({ secret, cookies = false }: { secret: string; cookies?: boolean }) {
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } }); // sessions: memoryStore()
  const authjwt = authjwtExpress({ auth, cookies });
  const app = express();
  app.use(express.json());

  /** The password checked under login throttling (429 past the limits), then a new session. */
  async function logIn(body: unknown, client = 'unknown', csrf = false) {
    const { username, password } = readCredentials(body);
    const user = await auth.throttleLogin({ account: username, client }, () =>
      checkPassword(username, password),
    );
    return auth.login({ subject: user.id, claims: { roles: user.roles }, csrf });
  }

  app.post('/auth/login', async (req, res) => {
    res.json(tokenBody(await logIn(req.body, req.ip)));
  });
  // The refresh token from the Authorization header only: this route answers with tokens in its body.
  app.post(
    '/auth/refresh',
    authjwt.requireRefresh(),
    authjwt.handler(async (req, res) => res.json(tokenBody(await auth.refresh(req.auth)))),
  );
  app.post(
    '/auth/logout',
    authjwt.requireAccess(),
    authjwt.handler(async (req, res) => {
      await auth.logout(req.auth);
      res.status(204).end();
    }),
  );
  app.get(
    '/me',
    authjwt.requireAccess(),
    authjwt.handler((req, res) => res.json({ user: req.auth.subject, roles: req.auth.roles })),
  );
  app.get('/admin', authjwt.requireRoles('admin'), (_req, res) => res.json({ admin: true }));
  // #endregion

  // #region cookies
  if (cookies) {
    // The cookie routes read cookies only: the new tokens go back into cookies, never into a body.
    const accessCookie = authjwt.requireAccess({ from: 'cookie' });
    const refreshCookie = authjwt.requireRefresh({ from: 'cookie' });
    app.post('/auth/cookie/login', async (req, res) => {
      const pair = await logIn(req.body, req.ip, true);
      authjwt.setTokenCookies(res, pair).status(204).end();
    });
    app.post(
      '/auth/cookie/refresh',
      refreshCookie,
      authjwt.handler(async (req, res) => {
        const pair = await auth.refresh(req.auth);
        authjwt.setTokenCookies(res, pair).status(204).end();
      }),
    );
    app.post(
      '/auth/cookie/logout',
      accessCookie,
      authjwt.handler(async (req, res) => {
        await auth.logout(req.auth);
        authjwt.clearTokenCookies(res).status(204).end();
      }),
    );
  }
  // #endregion

  // #region error-handler
  app.use(authjwt.errorHandler); // after the routes: the AuthErrors they throw, in the contract's shape
  // #endregion
  return app;
}
