import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ClientError } from '../errors.js';

/** The largest body read, in bytes, as Fastify's `bodyLimit` in app/fastify/app.ts. */
export const bodyLimit = 16 * 1024;

/**
 * A request's body on Express and Hono, by Fastify's rules (lib/handle-request.js and
 * lib/content-type-parser.js in Fastify 5), so that every input gets the same answer on all three:
 *
 * - GET and HEAD bodies are ignored.
 * - No `Content-Type`: no body (`undefined`) when there is none, 415 when there is one.
 * - A media type that does not parse, or other than `application/json` and `text/plain`: 415.
 * - Longer than the limit (declared or received): 413.
 * - `text/plain`: the text; `application/json`: the value, 400 when empty or not JSON, or when it
 *   would poison a prototype (`__proto__`, `constructor.prototype`). Any charset is read as UTF-8.
 *
 * Errors that leave the body unread close the connection, as Fastify's do. A request no route takes
 * (`routeFound: false`) is read too, as Fastify reads it before its 404: a JSON body that does not
 * parse is 400 there as well, but a body of a type Fastify has no parser for is simply not read.
 */
export async function readBody(
  method: string,
  headers: IncomingHttpHeaders,
  request: IncomingMessage,
  { routeFound = true }: { routeFound?: boolean } = {},
): Promise<unknown> {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const contentType = headers['content-type'];
  const contentLength = headers['content-length'];
  if (contentType === undefined) {
    const empty =
      headers['transfer-encoding'] === undefined && (contentLength === undefined || contentLength === '0');
    if (empty || !routeFound) return undefined;
    throw new ClientError(415);
  }
  const type = mediaType(contentType);
  if (type === undefined) throw new ClientError(415);
  if (type !== 'application/json' && type !== 'text/plain') {
    if (!routeFound) return undefined;
    throw new ClientError(415);
  }
  const text = (await readRaw(request, bodyLimit)).toString('utf8');
  if (type === 'text/plain') return text;
  if (text.length === 0) throw new ClientError(400, 'Bad request', { closeConnection: true });
  try {
    return parseJson(text);
  } catch {
    throw new ClientError(400, 'Bad request', { closeConnection: true });
  }
}

const tokenChars = /^[\w!#$%&'*+.^`|~-]+$/;

/** `type/subtype` in lower case, parameters ignored; `undefined` for a value Fastify refuses. */
export function mediaType(header: string): string | undefined {
  const semicolon = header.indexOf(';');
  const media = semicolon === -1 ? header : header.slice(0, semicolon);
  const slash = media.indexOf('/');
  if (slash === -1) return undefined;
  const type = media.slice(0, slash).trimStart().toLowerCase();
  const subtype = media
    .slice(slash + 1)
    .trimEnd()
    .toLowerCase();
  return tokenChars.test(type) && tokenChars.test(subtype) ? `${type}/${subtype}` : undefined;
}

/** The body's bytes, refused with 413 past `limit` (declared or received), 400 if the stream fails. */
function readRaw(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new ClientError(413, 'Bad request', { closeConnection: true });
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (error: ClientError | undefined) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks, received));
      else reject(error);
    };
    // The rest of a refused body is left unread: the answer closes the connection.
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) stop(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => {
      const complete = Number.isNaN(declared) || received === declared;
      stop(complete ? undefined : new ClientError(400, 'Bad request', { closeConnection: true }));
    };
    const onError = () => stop(new ClientError(400, 'Bad request', { closeConnection: true }));
    const onClose = () => {
      if (!request.complete) onError();
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
    request.resume();
  });
}

/**
 * JSON.parse as Fastify's parser (secure-json-parse) runs it: a leading BOM dropped, and a value with
 * an own `__proto__` key, or a `constructor` holding a `prototype`, refused anywhere in it.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Object.hasOwn(node, '__proto__')) throw new SyntaxError('a forbidden prototype property');
    const made = (node as { constructor?: unknown }).constructor;
    if (
      Object.hasOwn(node, 'constructor') &&
      made !== null &&
      typeof made === 'object' &&
      Object.hasOwn(made, 'prototype')
    ) {
      throw new SyntaxError('a forbidden constructor property');
    }
    for (const child of Object.values(node))
      if (child !== null && typeof child === 'object') pending.push(child);
  }
  return value;
}
