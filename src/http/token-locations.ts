import { AuthConfigError } from '../errors.js';

/**
 * Where a guard may read its token: the `Authorization` header (set deliberately by the client's
 * code), or our `HttpOnly` cookie (attached by the browser to every request, readable by no script).
 */
export type TokenLocation = 'header' | 'cookie';

/** The `from` option of a guard: one location, or several. */
export type TokenLocations = TokenLocation | readonly TokenLocation[];

/** A guard's locations, resolved once at construction so the request path only reads two booleans. */
export interface ResolvedTokenLocations {
  readonly header: boolean;
  readonly cookie: boolean;
}

const headerOnly: ResolvedTokenLocations = Object.freeze({ header: true, cookie: false });
const cookieOnly: ResolvedTokenLocations = Object.freeze({ header: false, cookie: true });
const headerAndCookie: ResolvedTokenLocations = Object.freeze({ header: true, cookie: true });

/**
 * Validates a guard's `from` option and resolves it, `fallback` when it is not given. Refused with
 * `AuthConfigError` naming `option`: an empty list, an unknown location, or `cookie` while cookie mode
 * is off (the guard could then never pass, which is a configuration mistake, not a request's).
 * The order inside a list does not matter: when a guard reads both, the header is read first.
 */
export function resolveTokenLocations(
  from: TokenLocations | undefined,
  fallback: ResolvedTokenLocations,
  { cookieMode, option }: { cookieMode: boolean; option: string },
): ResolvedTokenLocations {
  if (from === undefined) return fallback;
  const list: readonly unknown[] = Array.isArray(from) ? from : [from];
  if (list.length === 0) throw new AuthConfigError(option, 'must name "header", "cookie" or both');
  let header = false;
  let cookie = false;
  for (const location of list) {
    if (location === 'header') header = true;
    else if (location === 'cookie') cookie = true;
    else
      throw new AuthConfigError(
        option,
        `${describeValue(location)} is not a location; use "header" or "cookie"`,
      );
  }
  if (cookie && !cookieMode) {
    throw new AuthConfigError(option, '"cookie" needs cookie mode; register the plugin with cookies: true');
  }
  return header && cookie ? headerAndCookie : header ? headerOnly : cookieOnly;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

/**
 * The secure defaults. A guard that admits an access token reads the header, then (cookie mode) the
 * cookie, so one API serves scripts and browsers. A refresh route usually answers with new tokens in
 * its body, and a body is readable by any script on the page: a refresh cookie must never be turned
 * into a body, so `requireRefresh()` reads the header only unless told `{ from: 'cookie' }`.
 */
export const defaultTokenLocations = {
  access: (cookieMode: boolean): ResolvedTokenLocations => (cookieMode ? headerAndCookie : headerOnly),
  refresh: headerOnly,
} as const;
