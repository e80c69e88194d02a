export { socketCloseCodes, type WebSocketLike } from './socket.js';
export {
  type AcceptOptions,
  createSocketSessions,
  type SocketSessions,
  type SocketSessionsOptions,
} from './socket-sessions.js';
