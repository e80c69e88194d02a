import { createTokenService } from 'authjwt';
import { describe, expect, it } from 'vitest';
import type { VerifiedHeader } from '../../src/tokens/jws.js';
import { VerifiedTokenCache } from '../../src/tokens/verified-token-cache.js';

const key = { alg: 'HS256' as const, key: 'verified-cache-test-secret-0123456789' };

function service(options: { verifiedTokenCache?: number } = {}) {
  let now = Date.UTC(2026, 0, 1);
  const tokens = createTokenService({
    signingKey: key,
    clock: () => now,
    accessTtl: 60,
    audience: 'api',
    ...options,
  });
  return { tokens, advance: (seconds: number) => (now += seconds * 1000) };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('verified-token cache', () => {
  it('still checks expiry, type and audience on every use of a remembered token', () => {
    const { tokens, advance } = service();
    const { token } = tokens.signAccessToken({ subject: 'alice' });
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
    expect(codeOf(() => tokens.verifyRefreshToken(token))).toBe('wrong_token_type');
    advance(61);
    expect(codeOf(() => tokens.verifyAccessToken(token))).toBe('token_expired');
    expect(codeOf(() => tokens.verifyAccessToken(token))).toBe('token_expired');
  });

  it('checks a remembered token whole when asked for the other type, and its times on every use', () => {
    const { tokens, advance } = service();
    const { token: refresh } = tokens.signRefreshToken({ subject: 'alice', sessionId: 'session-1' });
    // Remembered as a refresh token: as an access token it gets the whole check, and its refusal.
    expect(tokens.verifyRefreshToken(refresh).sub).toBe('alice');
    expect(codeOf(() => tokens.verifyAccessToken(refresh))).toBe('wrong_token_type');
    expect(tokens.verifyRefreshToken(refresh).sub).toBe('alice');
    const { token } = tokens.signAccessToken({ subject: 'alice' });
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
    // A clock set back before `iat`: a remembered token is not yet valid either.
    advance(-10);
    expect(codeOf(() => tokens.verifyAccessToken(token))).toBe('token_not_yet_valid');
    advance(10);
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
  });

  it('hands out deep-frozen claims, so one request cannot change what the next one sees', () => {
    const { tokens } = service();
    const { token } = tokens.signAccessToken({ subject: 'alice', claims: { roles: ['user'] } });
    const first = tokens.verifyAccessToken(token);
    expect(() => {
      (first.roles as string[]).push('admin');
    }).toThrow(TypeError);
    expect(() => {
      (first as { sub: string }).sub = 'mallory';
    }).toThrow(TypeError);
    expect(tokens.verifyAccessToken(token)).toMatchObject({ sub: 'alice', roles: ['user'] });
  });

  it('never lets an altered token ride on a remembered one', () => {
    const { tokens } = service();
    const { token } = tokens.signAccessToken({ subject: 'alice' });
    tokens.verifyAccessToken(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' }),
    ).toString('base64url');
    expect(codeOf(() => tokens.verifyAccessToken(`${header}.${forgedPayload}.${signature}`))).toBe(
      'token_invalid',
    );
    expect(codeOf(() => tokens.verifyAccessToken(`${token} `))).toBe('token_invalid');
    // Another canonical last character (low bits zero); 'A' alone would be the original one time in 16.
    const otherLast = signature.endsWith('A') ? 'E' : 'A';
    expect(
      codeOf(() => tokens.verifyAccessToken(`${header}.${payload}.${signature.slice(0, -1)}${otherLast}`)),
    ).toBe('token_invalid');
    // The forgery shared the remembered token's signature, so its lookup key: the entry stays intact.
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
  });

  it('does not remember refusals: a token refused once is checked in full again', () => {
    const { tokens } = service();
    const other = createTokenService({
      signingKey: { ...key, key: 'another-secret-of-enough-length-000' },
      audience: 'api',
    });
    const foreign = other.signAccessToken({ subject: 'alice' }).token;
    expect(codeOf(() => tokens.verifyAccessToken(foreign))).toBe('token_invalid');
    expect(codeOf(() => tokens.verifyAccessToken(foreign))).toBe('token_invalid');
  });

  it('can be turned off, and refuses a bad size at construction', () => {
    const { tokens } = service({ verifiedTokenCache: 0 });
    const { token } = tokens.signAccessToken({ subject: 'alice' });
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
    // Nothing kept: each verification parses anew, and its claims are the caller's own.
    expect(tokens.verifyAccessToken(token)).not.toBe(tokens.verifyAccessToken(token));
    expect(Object.isFrozen(tokens.verifyAccessToken(token))).toBe(false);
    expect(() => service({ verifiedTokenCache: -1 })).toThrow(/verifiedTokenCache/);
  });
});

describe('VerifiedTokenCache lookup', () => {
  const header = { alg: 'HS256', typ: 'at+jwt' } as unknown as VerifiedHeader;

  it('hits only the identical token, even when another shares its last characters', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('first.token.ABCDE', { sub: 'a' }, header);
    expect(cache.get('first.token.ABCDE')?.claims.sub).toBe('a');
    // Same last characters, so the same lookup key: compared whole, and missed.
    expect(cache.get('forged.token.ABCDE')).toBeUndefined();
    // A second verified token on that key takes the place of the first, which is verified again next time.
    cache.set('other.token.ABCDE', { sub: 'b' }, header);
    expect(cache.get('other.token.ABCDE')?.claims.sub).toBe('b');
    expect(cache.get('first.token.ABCDE')).toBeUndefined();
    // Short strings have a key too.
    cache.set('ab', { sub: 'c' }, header);
    expect(cache.get('ab')?.claims.sub).toBe('c');
    expect(cache.get('b')).toBeUndefined();
  });

  it('finds a cached token by the header value it came in, and only the identical token', () => {
    const cache = new VerifiedTokenCache(10);
    const token = 'first.token.ABCDE';
    cache.set(token, { sub: 'a' }, header);
    const value = `Bearer ${token}`;
    // First use in a header: the tail is compared whole, and the cached string comes back.
    const found = cache.tokenPresentedAs(value, 7);
    expect(found).toBe(token);
    // Later uses, each in a new string of the same characters, compare the whole value.
    const again = cache.tokenPresentedAs(['Bearer ', token].join(''), 7);
    expect(again).toBe(token);
    expect(cache.get(again as string)?.claims.sub).toBe('a');
    // Another token on the same key, a longer or shorter value, another start: not this token.
    expect(cache.tokenPresentedAs('Bearer forged.token.ABCDE', 7)).toBeUndefined();
    expect(cache.tokenPresentedAs('Bearer fXrst.token.ABCDE', 7)).toBeUndefined();
    expect(cache.tokenPresentedAs(`Bearer  ${token}`, 7)).toBeUndefined();
    expect(cache.tokenPresentedAs(`Bearer x${token}`, 7)).toBeUndefined();
    expect(cache.tokenPresentedAs(value, 8)).toBeUndefined();
    expect(cache.tokenPresentedAs(value, 6)).toBeUndefined();
    // Nothing cached on the key at all.
    expect(cache.tokenPresentedAs('Bearer first.token.ZZZZZ', 7)).toBeUndefined();
    // Once the entry is gone, so is the value it was found by.
    cache.delete(token);
    expect(cache.tokenPresentedAs(value, 7)).toBeUndefined();
  });
});
