import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, createAuth } from 'authjwt';
import { authjwtExpress } from 'authjwt/express';
import { createSocketSessions } from 'authjwt/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { expectClosedOnLogout } from '../ws/client.js';
import { expressVersions } from './express-versions.js';

/*
 * Issue 13, point 2: what the Express adapter adds beyond the conformance suite: a typed handler, the
 * error handler for AuthErrors a route throws, the JWKS, token cookies, and WebSockets with `ws` on
 * the same server that close when their session ends. On Express 5 and on Express 4.
 */

const auth = createAuth({
  signingKey: { alg: 'HS256', key: 'express-adapter-test-secret-0123456789abcdef' },
});
const authjwt = authjwtExpress({ auth, cookies: true });

describe.each(expressVersions)('the Express adapter on %s', (_name, createApp) => {
  const sockets = createSocketSessions(auth);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = createApp();
    app.use(createApp.json());
    app.get('/.well-known/jwks.json', authjwt.jwks);
    app.post('/login', async (request, response) => {
      const pair = await auth.login({ subject: String(request.body?.user), csrf: true });
      authjwt.setTokenCookies(response, pair).json({ access_token: pair.accessToken });
    });
    app.get(
      '/me',
      authjwt.requireAccess(),
      authjwt.handler((request, response) => response.json({ subject: request.auth.subject })),
    );
    app.get(
      '/unguarded',
      authjwt.handler((_request, response) => response.json({})),
    );
    // A mounted app gives the request its own prototype; the context must still be there.
    const mounted = createApp();
    mounted.get('/whoami', (request, response) => {
      response.json({
        subject: request.auth?.subject,
        ownProperty: Object.hasOwn(request, 'auth'),
      });
    });
    app.use('/mounted', authjwt.requireAccess(), mounted);
    app.get(
      '/reassigned',
      authjwt.requireAccess(),
      // What an app may do: replace the context (a test double, another middleware).
      (request, _response, next) => {
        request.auth = null;
        next();
      },
      (request, response) => {
        response.json({ auth: request.auth });
      },
    );
    app.get('/throws', () => {
      throw new AuthError('user_inactive');
    });
    app.use(authjwt.errorHandler);
    server = createServer(app);
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, (ws) => {
        void sockets.accept(ws, {
          ...authjwt.upgradeCredentials(request),
          onText: (text) => ws.send(text),
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    sockets.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sets the token cookies at login, and a cookie request reaches a typed handler', async () => {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice' }),
    });
    const cookies = login.headers.getSetCookie();
    expect(cookies.map((line) => line.split('=')[0])).toEqual([
      '__Host-access',
      '__Host-refresh',
      '__Host-csrf',
    ]);
    const cookie = cookies.map((line) => line.split(';')[0]).join('; ');
    const me = await fetch(`${base}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ subject: 'alice' });
  });

  it('req.auth after a guard: read in a mounted app, replaced by a later middleware, never an own property of the request (adding one to an Express request is slow in V8)', async () => {
    const { accessToken } = await auth.login({ subject: 'mira' });
    const headers = { authorization: `Bearer ${accessToken}` };
    const mounted = await fetch(`${base}/mounted/whoami`, { headers });
    expect(await mounted.json()).toEqual({ subject: 'mira', ownProperty: false });
    const reassigned = await fetch(`${base}/reassigned`, { headers });
    expect(await reassigned.json()).toEqual({ auth: null });
  });

  it('a handler() without a guard before it fails the request rather than run without a context', async () => {
    expect((await fetch(`${base}/unguarded`)).status).toBe(500);
  });

  it('answers an AuthError a route throws in the contract shape; serves the JWKS with its caching header', async () => {
    const thrown = await fetch(`${base}/throws`);
    expect(thrown.status).toBe(401);
    expect(((await thrown.json()) as { code: string }).code).toBe('user_inactive');
    const jwks = await fetch(`${base}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await jwks.json()).toEqual({ keys: [] });
  });

  it('WebSockets with ws on the same server: authenticated at the upgrade, closed with 4401 when the session ends', async () => {
    const pair = await auth.login({ subject: 'bob' });
    await expectClosedOnLogout(`${base.replace('http', 'ws')}/ws`, auth, pair.accessToken);
  });
});
