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
  const prefix = domain === undefined && path === '/' && secure ? '__Host-' : secure ? '__Secure-' : '';
  const names = {
    access: options.names?.access ?? `${prefix}access`,
    refresh: options.names?.refresh ?? `${prefix}refresh`,
    csrf: options.names?.csrf ?? `${prefix}csrf`,
  };
  for (const [role, name] of Object.entries(names)) {
    const option = `cookies.names.${role}`;
    if (!cookieName.test(name)) throw new AuthConfigError(option, `"${name}" is not a valid cookie name`);
    if (name.startsWith('__Host-') && (!secure || path !== '/' || domain !== undefined)) {
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

  const tokenCookie = (name: string, value: string, maxAge: number) =>
    serialize(name, value, { ...base, httpOnly: true, maxAge: Math.max(0, Math.floor(maxAge)) });

  return {
    names,
    setTokens(input) {
      const cookies = [tokenCookie(names.access, input.accessToken, input.accessMaxAge)];
      if (input.refreshToken !== undefined) {
        cookies.push(
          tokenCookie(names.refresh, input.refreshToken, input.refreshMaxAge ?? input.accessMaxAge),
        );
      }
      if (input.csrf !== undefined) {
        // Readable by page scripts on purpose: the page copies it into the CSRF header (double submit).
        const maxAge = Math.max(input.accessMaxAge, input.refreshMaxAge ?? 0);
        cookies.push(serialize(names.csrf, input.csrf, { ...base, httpOnly: false, maxAge }));
      }
      return cookies;
    },
    clear() {
      return Object.values(names).map((name) =>
        serialize(name, '', { ...base, httpOnly: name !== names.csrf, maxAge: 0, expires: new Date(0) }),
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
