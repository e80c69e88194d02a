import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from 'authjwt/http';
import type { AppLog } from '../logging.js';

/**
 * The answer to a request Node's HTTP parser refuses (a malformed request line or header, headers too
 * large, a request too slow): Fastify's default clientErrorHandler, with the contract's body instead
 * of Fastify's own. Used by all three frameworks. The error is logged at trace by its type and message
 * only (the logger's serializer drops `rawPacket`, which holds the request's bytes).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, log: AppLog): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, label] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'timeout']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'header_overflow']
        : [400, 'error'];
  log.trace({ err: error }, `client ${label}`);
  if (socket.writable) {
    const body = JSON.stringify(errorBody(status, 'bad_request', 'Bad request'));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
