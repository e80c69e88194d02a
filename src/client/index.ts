/**
 * authjwt/client: the browser side. A `fetch` wrapper that keeps a session's credentials fresh
 * (cookie mode or header mode), renewing once for all tabs of the origin, and a WebSocket helper that
 * stays authenticated. No dependencies; runs in browsers (it loads in Node, where it is of no use).
 */
export { createAuthClient } from './create-auth-client.js';
export { AuthClientError } from './errors.js';
export type { AuthClientEvents, LoggedOutEvent } from './events.js';
export type { AuthSocket, AuthSocketOptions, AuthSocketState } from './socket.js';
export type { AuthClient, AuthClientOptions } from './types.js';
