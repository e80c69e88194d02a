import type { FastifyRequest } from 'fastify';
import { readUpgradeCredentials as readFromLayer, type UpgradeCredentials } from '../../http/upgrade.js';
import { fastifyRequestReader } from './guards.js';

export type { UpgradeCredentials };

/** Where the upgrade request's bearer token is read, as given to the plugin. */
export interface UpgradeCredentialsOptions {
  /** Default `authorization`. */
  header?: string;
  /** Default `Bearer`. */
  scheme?: string;
}

/**
 * Reads the credentials of a @fastify/websocket upgrade: the bearer header first, then (cookie mode)
 * the access cookie, which counts only from an allowed `Origin` (Fastify's `request.protocol` and
 * `request.host` are the request's own, following `X-Forwarded-Proto`/`-Host` only from a proxy
 * `trustProxy` trusts). See `readUpgradeCredentials` in `authjwt/http` for the rules.
 *
 * @example
 * app.get('/ws', { websocket: true }, (socket, request) => {
 *   void sockets.accept(socket, { ...readUpgradeCredentials(request), onText: (text) => socket.send(text) });
 * });
 */
export function readUpgradeCredentials(
  request: FastifyRequest,
  options: UpgradeCredentialsOptions = {},
): UpgradeCredentials {
  return readFromLayer(request, fastifyRequestReader, {
    header: (options.header ?? 'authorization').toLowerCase(),
    scheme: options.scheme ?? 'Bearer',
    cookies: request.server.authjwt?.cookies,
  });
}
