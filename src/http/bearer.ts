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
  // What nearly every client sends, `<scheme> <credentials>` with the scheme as written and no stray
  // whitespace, answered without the copies the general path makes (trim, split, lower-casing). It
  // returns exactly what the general path would: the credentials start and end with a `b64token`
  // character, so no trimming would change them, and hold no space.
  if (typeof header === 'string') {
    const start = usualCredentialsStart(header, scheme);
    if (start > 0 && header.indexOf(' ', start) === -1) return header.slice(start);
  }
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

/**
 * Where the credentials start in a header value of the usual shape (`<scheme> <credentials>`, the
 * scheme as written, a `b64token` character first and last), or -1. Nothing in between is looked at:
 * for a header value that carries a token the verified-token cache holds (the whole token is compared
 * there), or for `readBearerCredentials`, which checks the rest.
 */
export function usualCredentialsStart(header: string, scheme: string): number {
  if (!header.startsWith(scheme) || header.charCodeAt(scheme.length) !== spaceCode) return -1;
  const start = scheme.length + 1;
  return header.length > start &&
    isToken68Code(header.charCodeAt(start)) &&
    isToken68Code(header.charCodeAt(header.length - 1))
    ? start
    : -1;
}

const malformed = () => new AuthError('token_invalid', { reason: 'authorization_malformed' });

const spaceCode = 0x20;

/** Whether a character code is one of `b64token`'s (RFC 6750 section 2.1), `=` padding included. */
function isToken68Code(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x7e || // ~
    code === 0x2b || // +
    code === 0x2f || // /
    code === 0x3d // =
  );
}
