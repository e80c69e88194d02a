import { timingSafeEqual } from 'node:crypto';
import { AuthConfigError, AuthError } from '../errors.js';

/** CSRF double submit for requests authenticated by cookie. */
export interface CsrfOptions {
  /** Default true in cookie mode. */
  enabled?: boolean;
  /** Request header carrying the CSRF value. Default `x-csrf-token`. */
  header?: string;
  /** Methods that must carry it. Default POST, PUT, PATCH, DELETE. */
  unsafeMethods?: readonly string[];
  /** Origins allowed besides the request's own host (for example a separate front-end origin). */
  allowedOrigins?: readonly string[];
}

export interface CsrfRequest {
  method: string;
  /** The CSRF header's value. */
  headerValue: string | string[] | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The request's `Host` header. */
  host: string | undefined;
}

export interface CsrfPolicy {
  readonly header: string;
  /** Throws `csrf_failed` unless a cookie-authenticated request may go ahead. */
  check(request: CsrfRequest, boundValue: string | undefined): void;
  /** Whether the origin may open a cookie-authenticated WebSocket (no CSRF header on an upgrade). */
  originAllowed(origin: string | undefined, host: string | undefined): boolean;
}

const fail = (reason: string) => new AuthError('csrf_failed', { reason });

export function createCsrfPolicy(options: CsrfOptions = {}): CsrfPolicy {
  const enabled = options.enabled ?? true;
  const header = (options.header ?? 'x-csrf-token').toLowerCase();
  const unsafe = new Set(
    (options.unsafeMethods ?? ['POST', 'PUT', 'PATCH', 'DELETE']).map((method) => method.toUpperCase()),
  );
  const allowedOrigins = new Set<string>();
  for (const origin of options.allowedOrigins ?? []) {
    try {
      allowedOrigins.add(new URL(origin).origin);
    } catch {
      throw new AuthConfigError(
        'csrf.allowedOrigins',
        `"${origin}" is not an origin like https://app.example.com`,
      );
    }
  }

  function originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true; // not a browser, or a same-origin request of an old browser
    if (origin === 'null') return false; // sandboxed or opaque: never trusted
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    return parsed.host === host || allowedOrigins.has(parsed.origin);
  }

  return {
    header,
    originAllowed,
    check(request, boundValue) {
      if (!enabled || !unsafe.has(request.method.toUpperCase())) return;
      // A second line where the browser tells us: a cross-site request never carries our cookies' authority.
      if (request.secFetchSite === 'cross-site') throw fail('sec_fetch_site');
      if (!originAllowed(request.origin, request.host)) throw fail('origin');
      const sent = Array.isArray(request.headerValue) ? undefined : request.headerValue;
      if (sent === undefined || sent.length === 0) throw fail('header_missing');
      if (boundValue === undefined) throw fail('not_bound');
      const a = Buffer.from(sent);
      const b = Buffer.from(boundValue);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw fail('mismatch');
    },
  };
}
