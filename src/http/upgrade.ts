import { AuthError, isAuthError } from '../errors.js';
import { readBearerToken } from './bearer.js';
import type { CookieJar } from './cookies.js';
import type { CsrfPolicy } from './csrf.js';
import { firstValue, type RequestReader } from './request.js';

/** What a WebSocket upgrade brought, in the shape `SocketSessions.accept()` (`authjwt/ws`) takes. */
export interface UpgradeCredentials {
  /** The access token of the upgrade; `undefined` when the first message must bring it. */
  readonly token: string | undefined;
  /** Why the upgrade's credentials are refused; the socket is then closed with 4401. */
  readonly refusal: AuthError | undefined;
}

export interface UpgradeSettings {
  /** Lower-case header name. */
  readonly header: string;
  readonly scheme: string;
  /** Cookie mode's jar and CSRF policy; `undefined` in header mode. */
  readonly cookies: { readonly jar: CookieJar; readonly csrf: CsrfPolicy } | undefined;
}

const none: UpgradeCredentials = Object.freeze({ token: undefined, refusal: undefined });

/**
 * Reads the credentials of a WebSocket upgrade: the bearer header first, then (cookie mode) the
 * access cookie. A page can make a browser open a WebSocket to any site with that site's cookies, and
 * no CSRF header rides on a GET upgrade, so the cookie counts only from an allowed `Origin`: the
 * request's own scheme, host and port, or one of `csrf.allowedOrigins`. A page on `http://` cannot
 * use the cookies of the `https://` site. From any other origin the upgrade is refused rather than
 * silently downgraded. No token at all: first-message authentication.
 */
export function readUpgradeCredentials<Request>(
  request: Request,
  reader: RequestReader<Request>,
  settings: UpgradeSettings,
): UpgradeCredentials {
  let fromHeader: string | undefined;
  try {
    fromHeader = readBearerToken(reader.header(request, settings.header), settings.scheme);
  } catch (error) {
    if (isAuthError(error)) return { token: undefined, refusal: error };
    throw error;
  }
  if (fromHeader !== undefined) return { token: fromHeader, refusal: undefined };
  const cookies = settings.cookies;
  if (cookies === undefined) return none;
  const fromCookie = cookies.jar.read(firstValue(reader.header(request, 'cookie'))).access;
  if (fromCookie === undefined || fromCookie.length === 0) return none;
  const own = { protocol: reader.protocol(request), host: reader.host(request) };
  if (!cookies.csrf.originAllowed(firstValue(reader.header(request, 'origin')), own)) {
    return { token: undefined, refusal: new AuthError('csrf_failed', { reason: 'origin' }) };
  }
  return { token: fromCookie, refusal: undefined };
}
