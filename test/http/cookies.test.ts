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

describe('cookie jar: a refresh cookie scoped to the refresh route, and browser-session cookies', () => {
  it('refreshPath names the refresh cookie __Secure-refresh at that path and leaves the others __Host-', () => {
    const jar = createCookieJar({ refreshPath: '/auth/refresh' });
    expect(jar.names).toEqual({ access: '__Host-access', refresh: '__Secure-refresh', csrf: '__Host-csrf' });
    const [access, refresh] = jar.setTokens({ accessToken: 'a', accessMaxAge: 60, refreshToken: 'r' });
    expect(access).toContain('Path=/;');
    expect(refresh).toContain('Path=/auth/refresh;');
    expect(jar.clear().find((line) => line.startsWith('__Secure-refresh='))).toContain('Path=/auth/refresh');
    expect(jar.read('__Secure-refresh=r; __Host-refresh=other').refresh).toBe('r');
  });

  it('refuses a __Host- refresh name off Path=/ and a refresh path that is not one', () => {
    expect(() => createCookieJar({ refreshPath: '/r', names: { refresh: '__Host-refresh' } })).toThrow(
      /cookies\.names\.refresh/,
    );
    expect(() => createCookieJar({ refreshPath: 'auth/refresh' })).toThrow(/cookies\.refreshPath/);
    expect(() => createCookieJar({ refreshPath: '/a; Domain=evil' })).toThrow(/cookies\.refreshPath/);
    expect(createCookieJar({ refreshPath: '/' }).names.refresh).toBe('__Host-refresh');
  });

  it('remember: false writes every token cookie without Max-Age or Expires', () => {
    const jar = createCookieJar();
    const cookies = jar.setTokens({
      accessToken: 'a',
      accessMaxAge: 900,
      refreshToken: 'r',
      refreshMaxAge: 3600,
      csrf: 'c',
      remember: false,
    });
    expect(cookies.length).toBe(3);
    for (const line of cookies) expect(line).not.toMatch(/Max-Age|Expires/i);
  });
});

describe('CSRF policy', () => {
  const request = {
    method: 'POST',
    headerValue: 'v',
    origin: undefined,
    secFetchSite: undefined,
    protocol: 'https',
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

  it('accepts configured origins and the own origin, refuses others and unparsable ones', () => {
    const policy = createCsrfPolicy({ allowedOrigins: ['https://front.test'] });
    expect(() => policy.check({ ...request, origin: 'https://front.test' }, 'v')).not.toThrow();
    expect(() => policy.check({ ...request, origin: 'https://app.test' }, 'v')).not.toThrow();
    expect(() => policy.check({ ...request, origin: 'https://evil.test' }, 'v')).toThrow(/CSRF/);
    expect(() => policy.check({ ...request, origin: '::' }, 'v')).toThrow(/CSRF/);
    expect(() => createCsrfPolicy({ allowedOrigins: ['not an origin'] })).toThrow(AuthConfigError);
  });

  it('compares scheme, host and port with the request’s own origin, default ports included', () => {
    const { originAllowed } = createCsrfPolicy();
    const own = (protocol: string | undefined, host: string | undefined) => ({ protocol, host });
    const cases: [
      origin: string,
      protocol: string | undefined,
      host: string | undefined,
      allowed: boolean,
    ][] = [
      ['https://app.test', 'https', 'app.test', true],
      ['https://app.test', 'https', 'app.test:443', true],
      ['https://app.test:443', 'https', 'app.test', true],
      ['https://APP.test', 'https', 'app.TEST', true],
      ['http://app.test', 'http', 'app.test:80', true],
      ['http://127.0.0.1:3000', 'http', '127.0.0.1:3000', true],
      ['http://[::1]:3000', 'http', '[::1]:3000', true],
      ['https://app.test', 'wss', 'app.test', true], // a proxy forwarding the WebSocket scheme
      ['https://app.test', 'HTTPS', 'app.test', true],
      ['http://app.test', 'https', 'app.test', false], // the scheme counts
      ['https://app.test', 'http', 'app.test', false],
      ['https://app.test:8443', 'https', 'app.test', false], // the port counts
      ['https://app.test', 'https', 'app.test:8443', false],
      ['http://app.test:443', 'https', 'app.test:443', false],
      ['https://app.test', undefined, 'app.test', false], // no scheme known: only allowed origins
      ['https://app.test', 'ftp', 'app.test', false],
      ['https://app.test', 'https', undefined, false],
      ['https://app.test', 'https', '', false],
      ['https://evil.test', 'https', 'evil.test/@app.test', false], // not a Host value
      ['https://app.test', 'https', 'app.test:99999', false],
      ['null', 'https', 'app.test', false],
      ['file:///etc/passwd', 'https', 'app.test', false],
    ];
    for (const [origin, protocol, host, allowed] of cases) {
      expect(originAllowed(origin, own(protocol, host)), `${origin} vs ${protocol}://${host}`).toBe(allowed);
    }
    expect(originAllowed(undefined, own('https', 'app.test'))).toBe(true); // not a browser
  });

  it('matches allowed origins by scheme and port too, and refuses opaque ones at construction', () => {
    const { originAllowed } = createCsrfPolicy({ allowedOrigins: ['https://front.test'] });
    const own = { protocol: 'https', host: 'api.test' };
    expect(originAllowed('https://front.test', own)).toBe(true);
    expect(originAllowed('https://front.test:443', own)).toBe(true);
    expect(originAllowed('http://front.test', own)).toBe(false);
    expect(originAllowed('https://front.test:8443', own)).toBe(false);
    for (const opaque of ['file:///tmp', 'chrome-extension://abcdef', 'data:text/html,x']) {
      expect(() => createCsrfPolicy({ allowedOrigins: [opaque] }), opaque).toThrow(AuthConfigError);
    }
  });

  it('checks a configurable method set', () => {
    const policy = createCsrfPolicy({ unsafeMethods: ['POST', 'GET'] });
    expect(() => policy.check({ ...request, method: 'GET', headerValue: undefined }, 'v')).toThrow(/CSRF/);
    expect(() => policy.check({ ...request, method: 'DELETE', headerValue: undefined }, 'v')).not.toThrow();
  });
});
