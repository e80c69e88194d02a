import type { AuthContext } from '../../auth.js';
import type { AuthError } from '../../errors.js';
import type { WebSocketLike } from './socket.js';

/** What one socket brings and what the application does with it once authenticated. */
export interface AcceptOptions {
  /**
   * The access token the upgrade request carried (cookie or header). Without one, the first message
   * must bring it.
   */
  token?: string | undefined;
  /** Set by an adapter when the upgrade's credentials are refused (a cookie from a foreign origin). */
  refusal?: AuthError | undefined;
  /** Runs once the socket is authenticated, before any message is handed over. */
  onAuthenticated?: ((context: AuthContext) => void | Promise<void>) | undefined;
  /** Each text message after authentication, in order (never the auth message). */
  onText?: ((text: string, context: AuthContext) => void | Promise<void>) | undefined;
  /** Each binary message after authentication; ignored without this handler. */
  onBinary?: ((data: Buffer, context: AuthContext) => void | Promise<void>) | undefined;
}

/** The authenticated sockets of one auth instance, closed when their session ends or their token expires. */
export interface SocketSessions {
  /**
   * Authenticates the socket and keeps it until it closes. Resolves to its context once it is open
   * (after `onAuthenticated`), or to `undefined` when it was refused or went away first. Never rejects.
   */
  accept(socket: WebSocketLike, options?: AcceptOptions): Promise<AuthContext | undefined>;
  /** Authenticated sockets open now. */
  readonly size: number;
  /** Stops listening to revocations and closes every socket (1001). */
  close(): void;
}
