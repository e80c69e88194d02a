import type { TokenClaims } from './claims.js';

const none: readonly string[] = Object.freeze([]);

/**
 * The OAuth scopes a token grants: `scope`, a space-separated string (RFC 8693 section 4.2, RFC 9068
 * section 2.2.3), or `scp`, an array of strings or such a string (as Entra ID and Okta issue it).
 * Anything else grants none.
 */
export function scopesOf(claims: TokenClaims): readonly string[] {
  const given = (claims as Record<string, unknown>).scope ?? (claims as Record<string, unknown>).scp;
  if (typeof given === 'string') return given.split(' ').filter((scope) => scope.length > 0);
  if (Array.isArray(given) && given.every((scope) => typeof scope === 'string')) return given;
  return none;
}
