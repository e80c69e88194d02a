export type { SocketSessionsOptions } from './options.js';
export { socketCloseCodes, type WebSocketLike } from './socket.js';
export { createSocketSessions } from './socket-sessions.js';
export type { AcceptOptions, SocketSessions } from './types.js';
