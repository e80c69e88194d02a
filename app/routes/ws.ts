import websocket from '@fastify/websocket';
import { readUpgradeCredentials } from 'authjwt/fastify';
import { createSocketSessions } from 'authjwt/ws';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';
import type { User } from '../users/directory.js';

/**
 * `GET /ws`: a socket authenticated by the access cookie (from an allowed Origin) or by a first
 * message `{"type":"auth","access_token":"..."}` within 5 seconds. It greets with the username, echoes
 * each text message, and is closed with 4401 as soon as its session ends anywhere or its token expires.
 */
export function wsRoutes({ auth }: AppContext): FastifyPluginAsync {
  return async (app) => {
    // Registered here, so only this plugin's routes can be upgraded. `ws` accepts 100 MiB frames by default.
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    const sockets = createSocketSessions(auth, {
      onError: (error) => app.log.error({ err: error }, 'websocket handler failed'),
    });
    app.addHook('onClose', async () => sockets.close());

    app.get('/ws', { websocket: true }, (socket, request) => {
      void sockets.accept(socket, {
        ...readUpgradeCredentials(request),
        onAuthenticated(context) {
          const username = (context.user as User | null)?.username ?? context.subject;
          socket.send(JSON.stringify({ type: 'hello', username }));
        },
        onText(text) {
          socket.send(JSON.stringify({ type: 'echo', data: text }));
        },
      });
    });
  };
}
