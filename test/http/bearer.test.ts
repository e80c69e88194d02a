import { AuthError } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { readBearerCredentials, readBearerToken } from '../../src/http/bearer.js';
import { bearerChallenge } from '../../src/http/challenge.js';

describe('readBearerToken', () => {
  it('returns the credentials of a Bearer header, scheme case-insensitive', () => {
    expect(readBearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(readBearerToken('bearer a.b.c')).toBe('a.b.c');
    expect(readBearerToken('  BEARER   a.b.c  ')).toBe('a.b.c');
  });

  it('treats no header and other schemes as no token sent', () => {
    expect(readBearerToken(undefined)).toBeUndefined();
    expect(readBearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(readBearerToken('Bearerx a.b.c')).toBeUndefined();
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a,b', 'Bearer "a"', 'Bearer a\u0000b', 'Bearer é'])(
    'refuses a malformed Bearer value %j as token_invalid',
    (value) => {
      expect(() => readBearerToken(value)).toThrow(AuthError);
      expect(() => readBearerToken(value)).toThrow(expect.objectContaining({ code: 'token_invalid' }));
    },
  );

  it('refuses a repeated Authorization header', () => {
    expect(() => readBearerToken(['Bearer a', 'Bearer b'])).toThrow(AuthError);
    expect(() => readBearerToken(['Bearer a', 'Bearer b'])).toThrow(
      expect.objectContaining({ code: 'token_invalid' }),
    );
  });

  it('reads a configurable scheme', () => {
    expect(readBearerToken('Token abc', 'Token')).toBe('abc');
    expect(readBearerToken('Bearer abc', 'Token')).toBeUndefined();
  });
});

describe('readBearerCredentials (the guards: the verifier checks the characters)', () => {
  it('reads what readBearerToken reads, and leaves the character check to the verifier', () => {
    expect(readBearerCredentials('Bearer a.b.c')).toBe('a.b.c');
    expect(readBearerCredentials('  BEARER   a.b.c  ')).toBe('a.b.c');
    expect(readBearerCredentials('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(readBearerCredentials('Bearerx a.b.c')).toBeUndefined();
    expect(readBearerCredentials('Bearer "a"')).toBe('"a"');
  });

  // The usual `Bearer <token>` takes a short path; values at its edges must read as the long one reads them.
  it.each([
    ['Bearer a.b.c', 'a.b.c'],
    ['Bearer a.b.c\t', 'a.b.c'],
    ['Bearer a.b.c\u00a0', 'a.b.c'],
    ['Bearer \ta.b.c', 'a.b.c'],
    ['Bearer  a.b.c', 'a.b.c'],
    ['Bearer a\tb', 'a\tb'],
    ['Bearer abc==', 'abc=='],
    ['bearer a.b.c', 'a.b.c'],
    [' Bearer a.b.c', 'a.b.c'],
  ])('reads %j as %j', (value, credentials) => {
    expect(readBearerCredentials(value)).toBe(credentials);
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a.b c='])(
    'refuses an empty or several-valued %j as token_invalid',
    (value) => {
      expect(() => readBearerCredentials(value)).toThrow(expect.objectContaining({ code: 'token_invalid' }));
    },
  );

  it('refuses a repeated header', () => {
    expect(() => readBearerCredentials(['Bearer a', 'Bearer b'])).toThrow(AuthError);
    expect(() => readBearerCredentials(['Bearer a', 'Bearer b'])).toThrow(
      expect.objectContaining({ code: 'token_invalid' }),
    );
  });
});

describe('bearerChallenge (RFC 6750 section 3)', () => {
  it('has no error parameter when no token was sent', () => {
    expect(bearerChallenge('token_missing')).toBe('Bearer');
    expect(bearerChallenge('token_missing', { realm: 'api' })).toBe('Bearer realm="api"');
  });

  it('says invalid_token for every refused token', () => {
    for (const code of [
      'token_invalid',
      'token_expired',
      'token_revoked',
      'wrong_token_type',
      'user_inactive',
    ] as const) {
      expect(bearerChallenge(code)).toBe('Bearer error="invalid_token"');
    }
  });

  it('says insufficient_scope for a missing role and escapes the realm', () => {
    expect(bearerChallenge('insufficient_role', { realm: 'a"b' })).toBe(
      'Bearer realm="a\\"b", error="insufficient_scope"',
    );
  });

  it('has no challenge for CSRF, bad requests or the store', () => {
    expect(bearerChallenge('csrf_failed')).toBeUndefined();
    expect(bearerChallenge('store_unavailable')).toBeUndefined();
  });
});
