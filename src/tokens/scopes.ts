import type { TokenClaims } from './claims.js';

const none: readonly string[] = Object.freeze([]);

/**
 * The OAuth scopes a token grants: `scope`, a space-separated string (RFC 8693 section 4.2, RFC 9068
 * section 2.2.3), or `scp`, an array of strings or such a string (as Entra ID and Okta issue it).
 * Anything else grants none.
 */
export function scopesOf(claims: Readonly<Record<string, unknown>> | TokenClaims): readonly string[] {
  const given = (claims as Record<string, unknown>).scope ?? (claims as Record<string, unknown>).scp;
  return given === undefined ? none : scopesIn(given);
}

/** The scopes of one claim's value: a space-separated string or an array of strings; else none. */
export function scopesIn(value: unknown): readonly string[] {
  if (typeof value === 'string') return value.split(' ').filter((scope) => scope.length > 0);
  if (Array.isArray(value) && value.every((scope) => typeof scope === 'string')) return value;
  return none;
}
