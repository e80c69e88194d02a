import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { maskPath } from '../logging.js';

/** One request's log lines, as Fastify writes them: `incoming request`, then `request completed`. */
export interface RequestLog {
  /** This request's logger (with its `reqId`). */
  readonly log: Logger;
  /** `incoming request`, with the route pattern (never the URL, which may hold ids and tokens). */
  incoming(route: string): void;
  /** `request completed`, with the status and the time taken; `incoming request` first if not yet written. */
  completed(statusCode: number): void;
}

let requests = 0;

/**
 * Starts the log of a request on Express or Hono. The route is known only once the router matched, so
 * `incoming request` is written then (by the route's first middleware); a request no route takes is
 * logged by its path with the query string dropped and long segments masked (see maskPath).
 */
export function startRequestLog(log: Logger, request: IncomingMessage): RequestLog {
  const started = performance.now();
  requests += 1;
  const child = log.child({ reqId: `req-${requests.toString(36)}` });
  let logged = false;
  const incoming = (url: string) => {
    if (logged) return;
    logged = true;
    child.info(
      {
        req: {
          method: request.method ?? 'GET',
          url,
          host: request.headers.host,
          remoteAddress: request.socket?.remoteAddress,
          remotePort: request.socket?.remotePort,
        },
      },
      'incoming request',
    );
  };
  return {
    log: child,
    incoming,
    completed(statusCode) {
      incoming(maskPath(request.url ?? ''));
      child.info({ res: { statusCode }, responseTime: performance.now() - started }, 'request completed');
    },
  };
}
