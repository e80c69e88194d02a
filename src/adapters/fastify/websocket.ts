import type { FastifyRequest } from 'fastify';
import { AuthError, isAuthError } from '../../errors.js';
import { readBearerToken } from '../../http/bearer.js';

/** Where the upgrade request's bearer token is read, as given to the plugin. */
export interface UpgradeCredentialsOptions {
  /** Default `authorization`. */
  header?: string;
  /** Default `Bearer`. */
  scheme?: string;
}

/** What a WebSocket upgrade brought, in the shape `SocketSessions.accept()` (`authjwt/ws`) takes. */
export interface UpgradeCredentials {
  /** The access token of the upgrade; `undefined` when the first message must bring it. */
  readonly token: string | undefined;
  /** Why the upgrade's credentials are refused; the socket is then closed with 4401. */
  readonly refusal: AuthError | undefined;
}

const none: UpgradeCredentials = Object.freeze({ token: undefined, refusal: undefined });

/**
 * Reads the credentials of a @fastify/websocket upgrade: the bearer header first, then (cookie mode)
 * the access cookie. A page can make a browser open a WebSocket to any site with that site's cookies,
 * and no CSRF header rides on a GET upgrade, so the cookie counts only from an allowed `Origin`: the
 * request's own scheme, host and port (Fastify's `request.protocol` and `request.host`, which follow
 * `X-Forwarded-Proto`/`-Host` only from a proxy `trustProxy` trusts), or one of `csrf.allowedOrigins`.
 * A page on `http://` cannot use the cookies of the `https://` site. From any other origin the upgrade
 * is refused rather than silently downgraded. No token at all: first-message authentication.
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
  const headers = request.headers;
  let fromHeader: string | undefined;
  try {
    fromHeader = readBearerToken(headers[(options.header ?? 'authorization').toLowerCase()], options.scheme);
  } catch (error) {
    if (isAuthError(error)) return { token: undefined, refusal: error };
    throw error;
  }
  if (fromHeader !== undefined) return { token: fromHeader, refusal: undefined };
  const cookies = request.server.authjwt?.cookies;
  if (cookies === undefined) return none;
  const fromCookie = cookies.jar.read(headers.cookie).access;
  if (fromCookie === undefined || fromCookie.length === 0) return none;
  // The request's own origin as Fastify sees it (X-Forwarded-Proto/-Host only from a trusted proxy).
  if (!cookies.csrf.originAllowed(headers.origin, { protocol: request.protocol, host: request.host })) {
    return { token: undefined, refusal: new AuthError('csrf_failed', { reason: 'origin' }) };
  }
  return { token: fromCookie, refusal: undefined };
}
