import { parse, serialize } from 'cookie';
import { AuthConfigError } from '../errors.js';

/** How the token cookies are named and scoped. Validated once against the cookie prefix rules. */
export interface CookieOptions {
  /** Cookie names. Default `__Host-access`, `__Host-refresh`, `__Host-csrf` (`__Secure-` with a `domain`). */
  names?: { access?: string; refresh?: string; csrf?: string };
  /** Default `'lax'`: sent on top-level navigations, not on cross-site subrequests. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Default `true`. Browsers treat http://localhost as secure, so development works too. */
  secure?: boolean;
  /** Sets `Domain=`, which the `__Host-` prefix forbids; names then default to `__Secure-`. */
  domain?: string;
  /** Default `/` (required by `__Host-`). */
  path?: string;
  /**
   * The path of your refresh route (`'/auth/cookie/refresh'`), so the browser sends the refresh
   * cookie there only, never with other requests. The `__Host-` prefix forces `Path=/`, so the refresh
   * cookie's name then defaults to `__Secure-refresh` (the access and CSRF cookies keep theirs).
   * Default: the refresh cookie goes with every request, like the others, under `path`.
   */
  refreshPath?: string;
}

export interface TokenCookies {
  access: string | undefined;
  refresh: string | undefined;
  csrf: string | undefined;
}

export interface SetTokenCookiesInput {
  accessToken: string;
  /** Seconds: the cookie lives as long as the token. */
  accessMaxAge: number;
  refreshToken?: string;
  refreshMaxAge?: number;
  /** The CSRF value bound into the tokens, sent in a cookie page scripts can read. */
  csrf?: string;
  /**
   * `false` for a session without "remember me": every cookie is a browser-session cookie (no
   * `Max-Age`), gone when the browser closes. Default true.
   */
  remember?: boolean;
}

export interface CookieJar {
  readonly names: Readonly<{ access: string; refresh: string; csrf: string }>;
  /** `Set-Cookie` values for the tokens (and the CSRF value). */
  setTokens(input: SetTokenCookiesInput): string[];
  /** `Set-Cookie` values that clear every cookie of ours. */
  clear(): string[];
  /** Reads our cookies from a `Cookie` header. */
  read(cookieHeader: string | undefined): TokenCookies;
}

const cookieName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Builds the cookie side of cookie mode, refusing at construction any combination a browser would
 * silently reject (RFC 6265bis section 4.1.3: `__Host-` needs Secure, Path=/ and no Domain;
 * `__Secure-` needs Secure; SameSite=None needs Secure).
 */
export function createCookieJar(options: CookieOptions = {}): CookieJar {
  const secure = options.secure ?? true;
  const sameSite = options.sameSite ?? 'lax';
  const path = options.path ?? '/';
  const domain = options.domain;
  if (!['lax', 'strict', 'none'].includes(sameSite)) {
    throw new AuthConfigError('cookies.sameSite', 'must be "lax", "strict" or "none"');
  }
  if (sameSite === 'none' && !secure)
    throw new AuthConfigError('cookies.sameSite', '"none" requires secure cookies');
  if (!path.startsWith('/')) throw new AuthConfigError('cookies.path', 'must start with "/"');
  const refreshPath = options.refreshPath ?? path;
  // The cookie library refuses control characters and ';' in a path; the start is ours to check.
  if (typeof refreshPath !== 'string' || !refreshPath.startsWith('/') || /[;\s]/.test(refreshPath)) {
    throw new AuthConfigError('cookies.refreshPath', 'must be a path starting with "/"');
  }
  const prefixAt = (at: string) =>
    domain === undefined && at === '/' && secure ? '__Host-' : secure ? '__Secure-' : '';
  const prefix = prefixAt(path);
  const names = {
    access: options.names?.access ?? `${prefix}access`,
    refresh: options.names?.refresh ?? `${prefixAt(refreshPath)}refresh`,
    csrf: options.names?.csrf ?? `${prefix}csrf`,
  };
  const pathOf = (role: string) => (role === 'refresh' ? refreshPath : path);
  for (const [role, name] of Object.entries(names)) {
    const option = `cookies.names.${role}`;
    if (!cookieName.test(name)) throw new AuthConfigError(option, `"${name}" is not a valid cookie name`);
    if (name.startsWith('__Host-') && (!secure || pathOf(role) !== '/' || domain !== undefined)) {
      throw new AuthConfigError(option, '__Host- cookies need secure: true, path "/" and no domain');
    }
    if (name.startsWith('__Secure-') && !secure)
      throw new AuthConfigError(option, '__Secure- cookies need secure: true');
  }
  if (new Set(Object.values(names)).size !== 3)
    throw new AuthConfigError('cookies.names', 'must be three different names');

  const base = {
    path,
    secure,
    sameSite,
    ...(domain !== undefined && { domain }),
  } as const;

  /** Without a lifetime (`undefined`), a browser-session cookie: no `Max-Age`, no `Expires`. */
  const lifetime = (maxAge: number | undefined) =>
    maxAge === undefined ? {} : { maxAge: Math.max(0, Math.floor(maxAge)) };
  const tokenCookie = (name: string, value: string, maxAge: number | undefined, at = path) =>
    serialize(name, value, { ...base, path: at, httpOnly: true, ...lifetime(maxAge) });

  return {
    names,
    setTokens(input) {
      const remember = input.remember !== false;
      const cookies = [
        tokenCookie(names.access, input.accessToken, remember ? input.accessMaxAge : undefined),
      ];
      if (input.refreshToken !== undefined) {
        const maxAge = input.refreshMaxAge ?? input.accessMaxAge;
        cookies.push(
          tokenCookie(names.refresh, input.refreshToken, remember ? maxAge : undefined, refreshPath),
        );
      }
      if (input.csrf !== undefined) {
        // Readable by page scripts on purpose: the page copies it into the CSRF header (double submit).
        const maxAge = Math.max(input.accessMaxAge, input.refreshMaxAge ?? 0);
        cookies.push(
          serialize(names.csrf, input.csrf, {
            ...base,
            httpOnly: false,
            ...lifetime(remember ? maxAge : undefined),
          }),
        );
      }
      return cookies;
    },
    clear() {
      return Object.entries(names).map(([role, name]) =>
        serialize(name, '', {
          ...base,
          path: pathOf(role),
          httpOnly: name !== names.csrf,
          maxAge: 0,
          expires: new Date(0),
        }),
      );
    },
    read(cookieHeader) {
      if (cookieHeader === undefined || cookieHeader.length === 0) {
        return { access: undefined, refresh: undefined, csrf: undefined };
      }
      // `cookie.parse` never throws and ignores malformed pairs; a value it cannot decode stays raw.
      const parsed = parse(cookieHeader);
      return { access: parsed[names.access], refresh: parsed[names.refresh], csrf: parsed[names.csrf] };
    },
  };
}
