/*
 * authjwt on Hono 4 (on @hono/node-server): log in with a password, call /me and a role-guarded
 * route, refresh, log out; with `cookies: true` the same for browsers, in HttpOnly cookies with a CSRF
 * header. Run it with `npx tsx --conditions=authjwt-source examples/hono/main.ts` (README, "Run it").
 */
// #region quick-start
import { getConnInfo } from '@hono/node-server/conninfo';
import { createAuth, type TokenPair } from 'authjwt';
import { authjwtHono } from 'authjwt/hono';
import { type Context, Hono } from 'hono';
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
  const authjwt = authjwtHono({ auth, cookies });
  const app = new Hono();
  app.onError(authjwt.onError); // AuthErrors thrown by routes (401, 429 at login) in the contract's shape

  /** The password checked under login throttling (429 past the limits), then a new session. */
  async function logIn(c: Context, csrf = false) {
    const { username, password } = readCredentials(await c.req.json().catch(() => ({})));
    const client = getConnInfo(c).remote.address ?? 'unknown';
    const user = await auth.throttleLogin({ account: username, client }, () =>
      checkPassword(username, password),
    );
    return auth.login({ subject: user.id, claims: { roles: user.roles }, csrf });
  }

  app.post('/auth/login', async (c) => c.json(tokenBody(await logIn(c))));
  // The refresh token from the Authorization header only: this route answers with tokens in its body.
  app.post('/auth/refresh', authjwt.requireRefresh(), async (c) =>
    c.json(tokenBody(await auth.refresh(c.var.auth))),
  );
  app.post('/auth/logout', authjwt.requireAccess(), async (c) => {
    await auth.logout(c.var.auth);
    return c.body(null, 204);
  });
  app.get('/me', authjwt.requireAccess(), (c) =>
    c.json({ user: c.var.auth.subject, roles: c.var.auth.roles }),
  );
  app.get('/admin', authjwt.requireRoles('admin'), (c) => c.json({ admin: true }));
  // #endregion

  // #region cookies
  if (cookies) {
    // The cookie routes read cookies only: the new tokens go back into cookies, never into a body.
    const accessCookie = authjwt.requireAccess({ from: 'cookie' });
    const refreshCookie = authjwt.requireRefresh({ from: 'cookie' });
    app.post('/auth/cookie/login', async (c) => {
      authjwt.setTokenCookies(c, await logIn(c, true));
      return c.body(null, 204);
    });
    app.post('/auth/cookie/refresh', refreshCookie, async (c) => {
      authjwt.setTokenCookies(c, await auth.refresh(c.var.auth));
      return c.body(null, 204);
    });
    app.post('/auth/cookie/logout', accessCookie, async (c) => {
      await auth.logout(c.var.auth);
      authjwt.clearTokenCookies(c);
      return c.body(null, 204);
    });
  }
  // #endregion
  return app;
}
