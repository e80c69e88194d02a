import { timingSafeEqual } from 'node:crypto';
import { AuthConfigError, AuthError, type AuthErrorReason } from '../errors.js';

/** CSRF double submit for requests authenticated by cookie. */
export interface CsrfOptions {
  /** Default true in cookie mode. */
  enabled?: boolean;
  /** Request header carrying the CSRF value. Default `x-csrf-token`. */
  header?: string;
  /** Methods that must carry it. Default POST, PUT, PATCH, DELETE. */
  unsafeMethods?: readonly string[];
  /**
   * Origins allowed besides the request's own (for example a separate front-end origin), compared by
   * scheme, host and port.
   */
  allowedOrigins?: readonly string[];
}

/**
 * Where a request was addressed: its own origin, which a same-origin page's `Origin` must equal.
 * Behind a TLS-terminating proxy these must be what the proxy received (Fastify: `request.protocol`
 * and `request.host`, which follow `X-Forwarded-Proto`/`-Host` only from proxies `trustProxy` trusts).
 */
export interface RequestOrigin {
  /** `http` or `https` (`ws`/`wss` count as their HTTP twins); anything else matches no Origin. */
  protocol: string | undefined;
  /** Host and optional port, as in the `Host` header. */
  host: string | undefined;
}

export interface CsrfRequest extends RequestOrigin {
  method: string;
  /** The CSRF header's value. */
  headerValue: string | string[] | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
}

export interface CsrfPolicy {
  readonly header: string;
  /** Throws `csrf_failed` unless a cookie-authenticated request may go ahead. */
  check(request: CsrfRequest, boundValue: string | undefined): void;
  /**
   * Whether a page of `origin` may act with our cookies: its scheme, host and port equal the
   * request's own (default ports included: `https://a.example` is `https://a.example:443`), or it is
   * one of `csrf.allowedOrigins`. No `Origin` is allowed (not a browser); `null` never is. Also used
   * for cookie-authenticated WebSocket upgrades, which carry no CSRF header.
   */
  originAllowed(origin: string | undefined, own: RequestOrigin): boolean;
}

const fail = (reason: AuthErrorReason) => new AuthError('csrf_failed', { reason });

export function createCsrfPolicy(options: CsrfOptions = {}): CsrfPolicy {
  const enabled = options.enabled ?? true;
  const header = (options.header ?? 'x-csrf-token').toLowerCase();
  const unsafe = new Set(
    (options.unsafeMethods ?? ['POST', 'PUT', 'PATCH', 'DELETE']).map((method) => method.toUpperCase()),
  );
  const allowedOrigins = new Set<string>();
  for (const origin of options.allowedOrigins ?? []) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    // `file:`, `data:` or an extension scheme serialize as the opaque "null", which must never match.
    if (parsed === undefined || parsed === 'null') {
      throw new AuthConfigError(
        'csrf.allowedOrigins',
        `"${origin}" is not an origin like https://app.example.com`,
      );
    }
    allowedOrigins.add(parsed);
  }

  function originAllowed(origin: string | undefined, own: RequestOrigin): boolean {
    if (origin === undefined) return true; // not a browser, or a same-origin request of an old browser
    if (origin === 'null') return false; // sandboxed or opaque: never trusted
    let parsed: string;
    try {
      parsed = new URL(origin).origin;
    } catch {
      return false;
    }
    if (parsed === 'null') return false; // an origin that serializes as opaque: file:, data:, ...
    return parsed === requestOrigin(own) || allowedOrigins.has(parsed);
  }

  return {
    header,
    originAllowed,
    check(request, boundValue) {
      if (!enabled || !unsafe.has(request.method.toUpperCase())) return;
      // A second line where the browser tells us: a cross-site request never carries our cookies' authority.
      if (request.secFetchSite === 'cross-site') throw fail('sec_fetch_site');
      if (!originAllowed(request.origin, request)) throw fail('origin');
      const sent = Array.isArray(request.headerValue) ? undefined : request.headerValue;
      if (sent === undefined || sent.length === 0) throw fail('header_missing');
      if (boundValue === undefined) throw fail('not_bound');
      const a = Buffer.from(sent);
      const b = Buffer.from(boundValue);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw fail('mismatch');
    },
  };
}

/** A Host header value: a DNS name or IPv4 address, or a bracketed IPv6 address, then an optional port. */
const hostHeader = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const httpScheme: ReadonlyMap<string, string> = new Map([
  ['http', 'http'],
  ['https', 'https'],
  ['ws', 'http'],
  ['wss', 'https'],
]);

/**
 * The request's own origin serialized as browsers serialize `Origin` (lower-case host, no default
 * port), or `undefined` when the scheme or host is unusable: then only `allowedOrigins` can match.
 * Some proxies forward `wss`/`ws` for WebSocket upgrades; the page that opened the socket is on the
 * HTTP twin.
 */
function requestOrigin({ protocol, host }: RequestOrigin): string | undefined {
  const scheme = protocol === undefined ? undefined : httpScheme.get(protocol.trim().toLowerCase());
  if (scheme === undefined || host === undefined || !hostHeader.test(host)) return undefined;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return undefined; // a port above 65535, a malformed IPv6 address
  }
}
