import { AuthError } from '../errors.js';

/** RFC 6750 section 2.1: `b64token` characters, then optional `=` padding. */
const token68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads the credentials of an `Authorization`-style header for one scheme.
 * - no header, or a header for another scheme: `undefined` (no token was sent);
 * - the scheme with a malformed value (empty, several values, stray characters): `token_invalid`.
 * The scheme is matched case-insensitively (RFC 9110 section 11.1).
 */
export function readBearerToken(
  header: string | string[] | undefined,
  scheme = 'Bearer',
): string | undefined {
  const credentials = readBearerCredentials(header, scheme);
  if (credentials !== undefined && !token68.test(credentials)) throw malformed();
  return credentials;
}

/**
 * `readBearerToken` without the character check, for callers that hand the credentials straight to
 * the token verifier: it accepts only base64url and dots (a subset of `b64token`) and refuses the
 * rest as `token_invalid` too, so scanning the same 250 characters twice per request adds nothing.
 */
export function readBearerCredentials(
  header: string | string[] | undefined,
  scheme = 'Bearer',
): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    if (header.length !== 1) throw new AuthError('token_invalid', { reason: 'authorization_repeated' });
    return readBearerCredentials(header[0], scheme);
  }
  const value = header.trim();
  const space = value.indexOf(' ');
  const given = space === -1 ? value : value.slice(0, space);
  if (given.length !== scheme.length || given.toLowerCase() !== scheme.toLowerCase()) return undefined;
  const credentials = space === -1 ? '' : value.slice(space + 1).trim();
  // Several values (RFC 6750 allows exactly one b64token).
  if (credentials.length === 0 || credentials.includes(' ')) throw malformed();
  return credentials;
}

const malformed = () => new AuthError('token_invalid', { reason: 'authorization_malformed' });
