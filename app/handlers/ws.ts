import type { Auth, AuthContext } from 'authjwt';
import type { UpgradeCredentials } from 'authjwt/http';
import { createSocketSessions, type SocketSessions } from 'authjwt/ws';
import type { WebSocket } from 'ws';
import type { AppLog } from '../logging.js';
import type { User } from '../users/directory.js';

/** `ws` accepts 100 MiB frames by default; the demo's messages are small. */
export const maxSocketPayload = 64 * 1024;

export interface AppSockets {
  /** Takes a `ws` socket just upgraded on `GET /ws`, with the credentials of its upgrade request. */
  accept(socket: WebSocket, credentials: UpgradeCredentials): void;
  /** Stops listening to revocations and closes every socket (1001). */
  close(): void;
}

/**
 * `GET /ws`, whatever the framework: a socket authenticated by the access cookie (from an allowed
 * Origin), a bearer header, or a first message `{"type":"auth","access_token":"..."}` within 5
 * seconds. It greets with the username, echoes each text message, and is closed with 4401 as soon as
 * its session ends anywhere or its token expires.
 */
export function createAppSockets(auth: Auth, log: AppLog): AppSockets {
  const sessions: SocketSessions = createSocketSessions(auth, {
    onError: (error) => log.error({ err: error }, 'websocket handler failed'),
  });
  return {
    close: () => sessions.close(),
    accept(socket, credentials) {
      void sessions.accept(socket, {
        ...credentials,
        onAuthenticated(context: AuthContext) {
          const username = (context.user as User | null)?.username ?? context.subject;
          socket.send(JSON.stringify({ type: 'hello', username }));
        },
        onText(text) {
          socket.send(JSON.stringify({ type: 'echo', data: text }));
        },
      });
    },
  };
}
