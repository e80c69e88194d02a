import { serve } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { createAuth } from 'authjwt';
import { authjwtHono } from 'authjwt/hono';
import { createSocketSessions } from 'authjwt/ws';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClosedOnLogout, openSocket } from '../ws/client.js';

/*
 * Issue 13, point 2: Hono WebSockets with @hono/node-ws, guarded by authjwt/ws: authenticated by the
 * upgrade's credentials (read by the Hono adapter), closed with 4401 when the session ends.
 */

const auth = createAuth({ signingKey: { alg: 'HS256', key: 'hono-websocket-test-secret-0123456789abcdef' } });
const authjwt = authjwtHono({ auth });
const sockets = createSocketSessions(auth);
let base = '';
let close: () => Promise<void> = async () => {};

beforeAll(async () => {
  const app = new Hono();
  const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
  app.get(
    '/ws',
    upgradeWebSocket((c) => {
      const credentials = authjwt.upgradeCredentials(c);
      return {
        onOpen(_event, ws) {
          const raw = ws.raw;
          if (raw === undefined) return;
          void sockets.accept(raw, { ...credentials, onText: (text) => raw.send(text) });
        },
      };
    }),
  );
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      base = `ws://127.0.0.1:${info.port}`;
      close = () => new Promise<void>((done) => server.close(() => done()));
      resolve();
    });
    injectWebSocket(server);
  });
});
afterAll(async () => {
  sockets.close();
  await close();
});

describe('Hono WebSockets (@hono/node-ws) under authjwt/ws', () => {
  it('authenticates at the upgrade and closes with 4401 within a second of the logout', async () => {
    const pair = await auth.login({ subject: 'carol' });
    await expectClosedOnLogout(`${base}/ws`, auth, pair.accessToken);
  });

  it('refuses a forged upgrade token: closed with 4401', async () => {
    const socket = await openSocket(`${base}/ws`, { authorization: 'Bearer not.a.token' });
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
  });
});
