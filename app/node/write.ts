import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppAnswer } from '../handlers/types.js';

const jsonType = 'application/json; charset=utf-8';

/** The type and bytes of an answer's body, as Fastify sends them; `undefined` for none. */
export function answerBody(answer: AppAnswer): { type: string; body: string } | undefined {
  if (answer.json !== undefined) return { type: jsonType, body: JSON.stringify(answer.json) };
  return answer.text;
}

/**
 * Writes an answer on a node:http response (Express's): status, headers, and the body with its type
 * and length. Cookies are the adapter's to set before.
 */
export function writeAnswer(response: ServerResponse, answer: Omit<AppAnswer, 'cookies'>): void {
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
  const content = answerBody(answer);
  if (content === undefined) {
    response.end();
    return;
  }
  response.setHeader('content-type', content.type);
  response.setHeader('content-length', Buffer.byteLength(content.body));
  // A HEAD request gets the headers only: node:http drops the body itself.
  response.end(content.body);
}

/** Refuses a WebSocket upgrade with an HTTP answer written on the raw socket, which is then closed. */
export function writeUpgradeRefusal(socket: Duplex, answer: AppAnswer): void {
  const content = answerBody(answer) ?? { type: jsonType, body: '' };
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: ${content.type}\r\n` +
        `Content-Length: ${Buffer.byteLength(content.body)}\r\nConnection: close\r\n\r\n${content.body}`,
    );
  }
  socket.destroy();
}
