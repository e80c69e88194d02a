import websocket from '@fastify/websocket';
import { type Auth, createAuth } from 'authjwt';
import { type AuthjwtFastifyOptions, authjwtFastify, readUpgradeCredentials } from 'authjwt/fastify';
import { createSocketSessions } from 'authjwt/ws';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket } from './client.js';

/*
 * readUpgradeCredentials in a Fastify app of its own (real server, real sockets), for the options the
 * reference app does not use: header-only mode, extra allowed origins, another header.
 */

const secret = 'fastify-websocket-test-secret-0123456789abcdef';
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(
  plugin: Omit<AuthjwtFastifyOptions, 'auth'>,
  header?: string,
): Promise<{ url: string; auth: Auth }> {
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
  const app = Fastify();
  apps.push(app);
  await app.register(authjwtFastify, { auth, ...plugin });
  const socketRoutes: FastifyPluginAsync = async (scope) => {
    await scope.register(websocket);
    const sockets = createSocketSessions(auth, { authTimeoutMs: 300 });
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
  return { url: `${address.replace(/^http/, 'ws')}/ws`, auth };
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
});
