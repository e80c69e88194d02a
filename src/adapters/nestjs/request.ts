import type { IncomingHttpHeaders } from 'node:http';
import type { AuthContext } from '../../context.js';
import type { RequestReader } from '../../http/request.js';

/**
 * The request of either Nest platform, as far as authjwt reads and writes it: Express's `Request` and
 * Fastify's `FastifyRequest` both have these fields.
 */
export interface NestHttpRequest {
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  readonly protocol?: string;
  readonly host?: string;
  /** The verified token's context once a guard admitted the request; `null` where none was needed. */
  auth?: AuthContext | null;
}

/** A request an authjwt guard admitted with a token: `request.auth` is there, never null. */
export type AuthenticatedRequest<Request extends object = NestHttpRequest> = Request & {
  auth: AuthContext;
};

/**
 * Either platform's request as the HTTP layer reads it. Express 5's `req.protocol` and `req.host`
 * (which keeps the port) follow `X-Forwarded-*` only when the app's `trust proxy` setting trusts the
 * peer; Fastify 5's `request.protocol` and `request.host` only when its `trustProxy` does.
 */
export const nestRequestReader: RequestReader<NestHttpRequest> = {
  header: (request, name) => request.headers[name],
  method: (request) => request.method,
  protocol: (request) => request.protocol,
  host: (request) => request.host,
};
