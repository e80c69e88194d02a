import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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

/**
 * Answers an upgrade request that upgrades nothing (any path but `GET /ws`) as the HTTP request it
 * also is, as Fastify does with @fastify/websocket: the 404 of an unknown path, a guard's refusal.
 * The answer is written on the raw socket, which Node's HTTP server no longer manages, and the socket
 * is closed once it is sent.
 */
export function answerUpgradeOverHttp(
  request: IncomingMessage,
  socket: Duplex,
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): void {
  socket.on('error', () => socket.destroy());
  const response = new ServerResponse(request);
  response.assignSocket(socket as Socket);
  response.once('finish', () => (socket as Socket).destroySoon());
  handle(request, response);
}
