import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { type BaseLogger, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * The reference app's logger. The contract: no level ever logs a token, CSRF value, password or
 * session id. Fastify's defaults break it: the request serializer logs `req.url` with its query string
 * (`?access_token=...`) and its path (`/sessions/<id>`), and pino's error serializer copies every
 * property of an error, such as the `rawPacket` (all request bytes, headers included) of the client
 * error Fastify logs at trace. Each layer below closes one of those doors; the last one catches what
 * the others did not foresee.
 */
/** What the app's parts log through: Fastify's `app.log` or, on Express and Hono, pino itself. */
export type AppLog = Pick<BaseLogger, 'trace' | 'info' | 'warn' | 'error'>;

export type AppLoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

export function appLoggerOptions(level: string): AppLoggerOptions {
  const options = loggerOptions(level);
  return { ...options, serializers: { ...options.serializers, req: requestForLog } };
}

/**
 * The same logger without Fastify, for the app on Express and Hono (app/node/request-log.ts writes
 * the request lines Fastify writes, with the same fields). pino is the logger Fastify uses.
 */
export function createAppLogger(level: string): Logger {
  return pino(loggerOptions(level));
}

/** Every layer but Fastify's request serializer: the redaction, the error serializer, the last net. */
function loggerOptions(level: string) {
  return {
    level,
    // A plain request object (from request-log.ts) is logged by its known fields only, whatever it holds.
    serializers: { req: plainRequestForLog, err: errorForLog },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    hooks: { streamWrite: maskSecretsInText },
  } satisfies LoggerOptions;
}

/** The request fields of the log, as Express and Hono requests give them (see requestForLog). */
export interface RequestFields {
  method: string;
  /** The route pattern (`/sessions/:id`), or for no route the path masked by maskPath. */
  url: string;
  host: string | undefined;
  remoteAddress: string | undefined;
  remotePort?: number | undefined;
}

function plainRequestForLog(request: RequestFields): RequestFields {
  return {
    method: request.method,
    url: request.url,
    host: request.host,
    remoteAddress: request.remoteAddress,
    ...(request.remotePort !== undefined && { remotePort: request.remotePort }),
  };
}

/**
 * Fastify's default request fields minus the secrets: the route pattern (`/sessions/:id`) instead of
 * the URL, no query string, no headers (Authorization, Cookie, X-CSRF-Token) and no body.
 */
export function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.routeOptions?.url ?? maskPath(request.url ?? ''),
    host: request.host,
    remoteAddress: request.ip,
    ...(request.socket?.remotePort !== undefined && { remotePort: request.socket.remotePort }),
  };
}

// Session ids and CSRF values are 22 characters and tokens far longer, while every fixed path segment of
// the app is shorter than 16: a segment this long on an unknown route can only be opaque data.
const longestPlainSegment = 15;

/** A path for the log when no route matched: no query string or fragment, long opaque segments masked. */
export function maskPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return path
    .split('/')
    .map((segment) => (segment.length > longestPlainSegment ? ':masked' : segment))
    .join('/');
}

/**
 * Only the fields that explain an error, never its other properties, which can hold anything: Node's
 * HTTP parser errors carry the raw request, headers included, in `rawPacket`. A message that quotes its
 * input is masked with every line, below.
 */
export function errorForLog(error: unknown): { type: string; message: string; stack: string } {
  // Pino hands over whatever was logged under `err`, not only errors.
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return {
    type: error.name,
    message: error.message,
    stack: error.stack ?? '',
    ...(typeof code === 'string' && { code }),
    ...(typeof statusCode === 'number' && { statusCode }),
  };
}

// A compact JWS: three base64url parts. Short parts are allowed so that truncated tokens are caught too.
// The lookbehind starts a match only where a run of base64url characters starts: linear time on long runs.
const compactToken = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g;
// A query string in a URL quoted in a message (`Route GET:/me?access_token=... not found`). It stops at
// a backslash so that a JSON escape (`\"`) is never cut in half.
const queryString = /\?[^\s"'`?\\]+/g;

/**
 * The last net, over every line as written (JSON text): whatever looks like a token or a query string
 * is masked, wherever it came from (a message Fastify builds from the raw URL, an error message).
 */
export function maskSecretsInText(line: string): string {
  return line.replace(compactToken, '[token]').replace(queryString, '?[query]');
}

// For objects logged by hand; the serializers never emit headers or bodies.
const secretHeaders = ['.authorization', '.cookie', '["x-csrf-token"]', '["set-cookie"]'];
const secretFields = ['password', 'new_password', 'access_token', 'refresh_token', 'id_token', 'csrf'];
const redactedPaths = [
  ...['headers', 'request.headers'].flatMap((at) => secretHeaders.map((header) => `${at}${header}`)),
  ...['', 'body.', 'request.body.'].flatMap((at) => secretFields.map((field) => `${at}${field}`)),
];
