import { AuthConfigError } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { createCookieJar } from '../../src/http/cookies.js';
import { createCsrfPolicy } from '../../src/http/csrf.js';

describe('cookie jar: prefix rules enforced at construction', () => {
  it('defaults to __Host- names with Secure, Path=/ and no Domain', () => {
    const jar = createCookieJar();
    expect(jar.names).toEqual({ access: '__Host-access', refresh: '__Host-refresh', csrf: '__Host-csrf' });
  });

  it('uses __Secure- names when a domain is set, and refuses __Host- names with a domain or another path', () => {
    expect(createCookieJar({ domain: 'example.com' }).names.access).toBe('__Secure-access');
    expect(() => createCookieJar({ domain: 'example.com', names: { access: '__Host-a' } })).toThrow(
      AuthConfigError,
    );
    expect(() => createCookieJar({ path: '/api', names: { access: '__Host-a' } })).toThrow(/__Host-/);
    expect(() => createCookieJar({ secure: false, names: { access: '__Secure-a' } })).toThrow(/__Secure-/);
  });

  it('refuses SameSite=None without Secure, invalid names and duplicate names', () => {
    expect(() => createCookieJar({ secure: false, sameSite: 'none' })).toThrow(/sameSite/);
    expect(() => createCookieJar({ names: { access: 'a b' } })).toThrow(/valid cookie name/);
    expect(() => createCookieJar({ names: { access: 'x', refresh: 'x' } })).toThrow(/different/);
  });

  it('max-age follows the token; reading ignores other and malformed cookies', () => {
    const jar = createCookieJar({ secure: false });
    const cookies = jar.setTokens({
      accessToken: 'a.b.c',
      accessMaxAge: 900,
      refreshToken: 'd.e.f',
      refreshMaxAge: 60,
      csrf: 'v',
    });
    expect(cookies[0]).toBe('access=a.b.c; Max-Age=900; Path=/; HttpOnly; SameSite=Lax');
    expect(cookies[1]).toContain('Max-Age=60');
    expect(jar.read('x=1; access=a.b.c; ;;=; refresh')).toEqual({
      access: 'a.b.c',
      refresh: undefined,
      csrf: undefined,
    });
    expect(jar.read(undefined)).toEqual({ access: undefined, refresh: undefined, csrf: undefined });
  });
});

describe('CSRF policy', () => {
  const request = {
    method: 'POST',
    headerValue: 'v',
    origin: undefined,
    secFetchSite: undefined,
    host: 'app.test',
  };
  it('compares the header with the bound value and skips safe methods', () => {
    const policy = createCsrfPolicy();
    expect(() => policy.check(request, 'v')).not.toThrow();
    expect(() => policy.check({ ...request, method: 'GET', headerValue: undefined }, 'v')).not.toThrow();
    expect(() => policy.check({ ...request, headerValue: 'w' }, 'v')).toThrow(/CSRF/);
    expect(() => policy.check({ ...request, headerValue: ['v', 'v'] }, 'v')).toThrow(/CSRF/);
    expect(() => policy.check(request, undefined)).toThrow(/CSRF/);
  });

  it('accepts configured origins and the own host, refuses others and unparsable ones', () => {
    const policy = createCsrfPolicy({ allowedOrigins: ['https://front.test'] });
    expect(() => policy.check({ ...request, origin: 'https://front.test' }, 'v')).not.toThrow();
    expect(() => policy.check({ ...request, origin: 'http://app.test' }, 'v')).not.toThrow();
    expect(() => policy.check({ ...request, origin: 'https://evil.test' }, 'v')).toThrow(/CSRF/);
    expect(() => policy.check({ ...request, origin: '::' }, 'v')).toThrow(/CSRF/);
    expect(() => createCsrfPolicy({ allowedOrigins: ['not an origin'] })).toThrow(AuthConfigError);
  });

  it('checks a configurable method set', () => {
    const policy = createCsrfPolicy({ unsafeMethods: ['POST', 'GET'] });
    expect(() => policy.check({ ...request, method: 'GET', headerValue: undefined }, 'v')).toThrow(/CSRF/);
    expect(() => policy.check({ ...request, method: 'DELETE', headerValue: undefined }, 'v')).not.toThrow();
  });
});
