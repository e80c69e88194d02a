import type { AuthClientEvents, Listener } from './events.js';
import type { AuthSocket, AuthSocketOptions } from './socket.js';

export interface AuthClientOptions {
  /**
   * `cookie`: the tokens live in the server's HttpOnly cookies; the client sends the CSRF header.
   * `header`: the client holds the tokens (in memory) and sends `Authorization: Bearer`.
   */
  mode: 'cookie' | 'header';
  /** Where the API is. Default: this page's origin. */
  baseUrl?: string;
  /** The routes; defaults are the reference app's (`/auth/cookie/...` in cookie mode, `/auth/...` in header mode). */
  paths?: { login?: string; refresh?: string; logout?: string };
  /** Default `__Host-csrf`. */
  csrfCookie?: string;
  /** Default `x-csrf-token`. */
  csrfHeader?: string;
  /** The header in which the cookie routes say how long the access token lives. Default `access-token-expires-in`. */
  expiresInHeader?: string;
  /** Names the lock, the BroadcastChannel and the IndexedDB ledger the tabs share. Default `authjwt`. */
  name?: string;
  /** How often a 503 with `Retry-After` is retried before it is handed back. Default 3. */
  retries?: number;
  /** The longest `Retry-After` honoured, in seconds. Default 30. */
  maxRetryAfter?: number;
}

export interface AuthClient {
  readonly mode: 'cookie' | 'header';
  /** Settles once the client has caught up with the other tabs (the ledger; in header mode, their tokens). */
  readonly ready: Promise<void>;
  /** Whether this tab holds credentials of a live session, as far as it knows. */
  readonly loggedIn: boolean;
  /**
   * `fetch` with the credentials added. Renews the access token before it expires, and once on a
   * 401 `token_expired`; retries a 503 after its `Retry-After`; any other 401 (but
   * `fresh_token_required` and `invalid_credentials`, which do not end a session) logs every tab out.
   * Bodies are re-sent on a retry, so a ReadableStream body is read into memory first by `Request.clone()`.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Logs in with the login route's body; throws an AuthClientError (`invalid_credentials`, ...). */
  login(credentials: unknown): Promise<void>;
  /** Ends this session at the server and logs every tab out. */
  logout(): Promise<void>;
  /** Logs every tab out after the app ended the session through a route of its own (log out everywhere). */
  markLoggedOut(reason: string): void;
  /** Renews the credentials now, once for all tabs; false when the session is over. */
  refresh(): Promise<boolean>;
  /** Header mode: an access token that is not due for renewal; `undefined` when logged out. */
  accessToken(): Promise<string | undefined>;
  /** A WebSocket that authenticates, follows renewals, reconnects with back-off and stops on 4401. */
  socket(path: string, options?: AuthSocketOptions): AuthSocket;
  on<E extends keyof AuthClientEvents>(event: E, listener: Listener<E>): () => void;
  /** Stops the timers and leaves the channel (for tests and single-page apps tearing down). */
  close(): void;
}
