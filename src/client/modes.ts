import { browser } from './browser.js';
import type { HeaderTokens } from './tabs.js';

/** What a login or a refresh gave: the access token's lifetime and, in header mode, the tokens. */
export interface Renewal {
  /** Seconds, as the server counted them; `undefined` when it did not say. */
  expiresIn: number | undefined;
  tokens?: HeaderTokens;
}

/** The part of the client that differs between cookie mode and header mode. */
export interface CredentialMode {
  readonly kind: 'cookie' | 'header';
  /** Whether this tab holds credentials it could send (a CSRF cookie, or tokens in memory). */
  holdsCredentials(): boolean;
  /** Adds the credentials to a request about to be sent. */
  authorize(headers: Headers, method: string): void;
  /** A value that changes whenever the credentials do, to tell a stale request from a current one. */
  fingerprint(): string | undefined;
  loginRequest(body: unknown): RequestInit;
  refreshRequest(): RequestInit;
  /** Reads a successful login or refresh answer. */
  renewalFrom(response: Response): Promise<Renewal>;
  adopt(tokens: HeaderTokens | undefined): void;
  tokens(): HeaderTokens | undefined;
  forget(): void;
  /** Whether a 401 with this code may just mean the access token lapsed (so one refresh may help). */
  lapsed(code: string): boolean;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  credentials: 'same-origin',
});

export interface CookieModeOptions {
  csrfCookie: string;
  csrfHeader: string;
  expiresInHeader: string;
}

/**
 * Cookie mode: the tokens live in HttpOnly cookies the browser sends by itself and this code never
 * sees. It only copies the readable CSRF cookie into the CSRF header of unsafe requests.
 */
export function cookieMode(options: CookieModeOptions): CredentialMode {
  const csrf = () => readCookie(options.csrfCookie);
  const withCsrf = (): RequestInit => {
    const value = csrf();
    return {
      method: 'POST',
      headers: value === undefined ? {} : { [options.csrfHeader]: value },
      credentials: 'same-origin',
    };
  };
  return {
    kind: 'cookie',
    holdsCredentials: () => csrf() !== undefined,
    authorize(headers, method) {
      const value = csrf();
      if (value !== undefined && unsafeMethods.has(method.toUpperCase()))
        headers.set(options.csrfHeader, value);
    },
    fingerprint: csrf,
    loginRequest: json,
    refreshRequest: withCsrf,
    async renewalFrom(response) {
      const header = response.headers.get(options.expiresInHeader);
      const seconds = header === null ? Number.NaN : Number(header);
      return { expiresIn: Number.isFinite(seconds) && seconds > 0 ? seconds : undefined };
    },
    adopt() {},
    tokens: () => undefined,
    forget() {},
    // The browser drops the access cookie when its Max-Age (the token's lifetime) is over, so a lapsed
    // token usually arrives as no token at all; the CSRF cookie outlives it with the refresh cookie.
    lapsed: (code) => code === 'token_expired' || (code === 'token_missing' && csrf() !== undefined),
  };
}

/**
 * Header mode: the access token goes in `Authorization: Bearer`, and the refresh token, as a bearer
 * token too, only to the refresh route. Both live in this tab's memory only (see the README).
 */
export function headerMode(): CredentialMode {
  let current: HeaderTokens | undefined;
  const bearer = (token: string | undefined): RequestInit => ({
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    credentials: 'omit',
  });
  return {
    kind: 'header',
    holdsCredentials: () => current !== undefined,
    authorize(headers) {
      if (current !== undefined && !headers.has('authorization'))
        headers.set('authorization', `Bearer ${current.accessToken}`);
    },
    fingerprint: () => current?.accessToken,
    loginRequest: (body) => ({ ...json(body), credentials: 'omit' }),
    refreshRequest: () => bearer(current?.refreshToken),
    async renewalFrom(response) {
      const body = (await response.json()) as {
        access_token?: unknown;
        refresh_token?: unknown;
        expires_in?: unknown;
      };
      if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
        throw new TypeError('The token response has no access_token and refresh_token.');
      }
      return {
        expiresIn: typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : undefined,
        tokens: { accessToken: body.access_token, refreshToken: body.refresh_token },
      };
    },
    adopt(tokens) {
      current = tokens;
    },
    tokens: () => current,
    forget() {
      current = undefined;
    },
    lapsed: (code) => code === 'token_expired',
  };
}

export function readCookie(name: string): string | undefined {
  const cookies = browser.document?.cookie;
  if (cookies === undefined) return undefined;
  for (const pair of cookies.split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1 && pair.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return pair.slice(at + 1).trim();
      }
    }
  }
  return undefined;
}
