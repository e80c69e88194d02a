import websocket from '@fastify/websocket';
import { type Auth, createAuth } from 'authjwt';
import { type AuthjwtFastifyOptions, authjwtFastify, readUpgradeCredentials } from 'authjwt/fastify';
import { createSocketSessions } from 'authjwt/ws';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket } from './client.js';

/*
 * readUpgradeCredentials in a Fastify app of its own (real server, real sockets), for the options the
 * reference app does not use: header-only mode, extra allowed origins, another header, a trusted proxy.
 */

const secret = 'fastify-websocket-test-secret-0123456789abcdef';
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(
  plugin: Omit<AuthjwtFastifyOptions, 'auth'>,
  header?: string,
  server: FastifyServerOptions = {},
): Promise<{ url: string; auth: Auth; origin: string }> {
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
  const app = Fastify(server);
  apps.push(app);
  await app.register(authjwtFastify, { auth, ...plugin });
  const socketRoutes: FastifyPluginAsync = async (scope) => {
    await scope.register(websocket);
    const sockets = createSocketSessions(auth, { authTimeout: '300ms' });
    scope.addHook('onClose', async () => sockets.close());
    scope.get('/ws', { websocket: true }, (socket, request) => {
      void sockets.accept(socket, {
        ...readUpgradeCredentials(request, header === undefined ? {} : { header }),
        onAuthenticated: (context) =>
          socket.send(JSON.stringify({ type: 'hello', username: context.subject })),
      });
    });
  };
  await app.register(socketRoutes);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${address.replace(/^http/, 'ws')}/ws`, auth, origin: address };
}

async function accessCookie(auth: Auth): Promise<string> {
  return `__Host-access=${(await auth.login({ subject: 'alice', csrf: true })).accessToken}`;
}

describe('readUpgradeCredentials', () => {
  it('honours csrf.allowedOrigins for the cookie, and still refuses other origins', async () => {
    const { url, auth } = await serve({ cookies: true, csrf: { allowedOrigins: ['https://app.example'] } });
    const cookie = await accessCookie(auth);
    const allowed = await openSocket(url, { cookie, origin: 'https://app.example' });
    expect(await allowed.next()).toEqual({ type: 'hello', username: 'alice' });
    allowed.ws.close(1000);
    const foreign = await openSocket(url, { cookie, origin: 'https://app.example.evil.test' });
    expect(await foreign.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
  });

  it('ignores cookies in header-only mode: the first message must authenticate', async () => {
    const { url, auth } = await serve({ cookies: false });
    const socket = await openSocket(url, { cookie: await accessCookie(auth) });
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'auth_timeout' });
  });

  it('reads the bearer token from the configured header, and refuses a malformed one at once', async () => {
    const { url, auth } = await serve({ header: 'x-access' }, 'x-access');
    const { accessToken } = await auth.login({ subject: 'alice' });
    const good = await openSocket(url, { 'x-access': `Bearer ${accessToken}` });
    expect(await good.next()).toEqual({ type: 'hello', username: 'alice' });
    good.ws.close(1000);
    const malformed = await openSocket(url, { 'x-access': 'Bearer two tokens' });
    expect(await malformed.closed).toMatchObject({ code: 4401, reason: 'token_invalid' });
  });

  it('compares the Origin’s scheme too: an https page may not use the cookie of a plain http server', async () => {
    const { url, auth, origin } = await serve({ cookies: true });
    const cookie = await accessCookie(auth);
    const own = await openSocket(url, { cookie, origin });
    expect(await own.next()).toEqual({ type: 'hello', username: 'alice' });
    own.ws.close(1000);
    const otherScheme = await openSocket(url, { cookie, origin: origin.replace(/^http:/, 'https:') });
    expect(await otherScheme.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
    // Not believed from an untrusted peer.
    const spoofed = await openSocket(url, {
      cookie,
      origin: origin.replace(/^http:/, 'https:'),
      'x-forwarded-proto': 'https',
    });
    expect(await spoofed.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
  });

  it('behind a trusted proxy takes the scheme from X-Forwarded-Proto (https or wss), refusing the http Origin', async () => {
    const { url, auth, origin } = await serve({ cookies: true }, undefined, { trustProxy: true });
    const cookie = await accessCookie(auth);
    const secureOrigin = origin.replace(/^http:/, 'https:');
    for (const proto of ['https', 'wss']) {
      const socket = await openSocket(url, { cookie, origin: secureOrigin, 'x-forwarded-proto': proto });
      expect(await socket.next(), proto).toEqual({ type: 'hello', username: 'alice' });
      socket.ws.close(1000);
    }
    const downgraded = await openSocket(url, { cookie, origin, 'x-forwarded-proto': 'https' });
    expect(await downgraded.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
  });
});
