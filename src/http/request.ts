import type { IncomingMessage } from 'node:http';

/**
 * How the HTTP layer reads a framework's request: four small functions an adapter gives once, so the
 * layer never needs a request object of its own (no allocation per request) and never imports a
 * framework.
 */
export interface RequestReader<Request> {
  /** A header's value by its lower-case name, as the framework parsed it. */
  header(request: Request, name: string): string | string[] | undefined;
  method(request: Request): string;
  /**
   * The scheme the client addressed (`http` or `https`). Behind a TLS-terminating proxy, what the
   * proxy received: take `X-Forwarded-Proto` only from a proxy the application trusts.
   */
  protocol(request: Request): string | undefined;
  /** The host and port the client addressed (the `Host` header, or a trusted `X-Forwarded-Host`). */
  host(request: Request): string | undefined;
}

/**
 * A plain `node:http` request as the layer reads it: the scheme from the socket (TLS or not) and the
 * `Host` header, forwarded headers ignored. Behind a proxy, give a reader that trusts what your
 * proxy sets. Also the reader for WebSocket upgrade requests, which no framework has parsed.
 */
export const nodeRequestReader: RequestReader<IncomingMessage> = {
  header: (request, name) => request.headers[name],
  method: (request) => request.method ?? 'GET',
  protocol: (request) => ((request.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'),
  host: (request) => request.headers.host,
};

/** One value of a header that may repeat: the first. */
export function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
