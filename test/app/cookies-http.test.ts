import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, frameworks, type RunningApp, startApp } from './start-app.js';

let running: RunningApp;
let base: string;

interface Jar {
  cookies: Record<string, string>;
  setCookie: string[];
  header: string;
}

function jarFrom(headers: Headers): Jar {
  const setCookie = headers.getSetCookie();
  const cookies: Record<string, string> = {};
  for (const line of setCookie) {
    const [pair] = line.split(';');
    const [name, ...value] = (pair ?? '').split('=');
    cookies[name as string] = value.join('=');
  }
  const header = Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return { cookies, setCookie, header };
}

async function cookieLogin(username = 'alice') {
  const reply = await call(base, 'POST', '/auth/cookie/login', {
    body: { username, password: `${username}-pass` },
  });
  expect(reply.status).toBe(204);
  return jarFrom(reply.headers);
}

function withCookies(jar: Jar, extra: Record<string, string> = {}) {
  return { headers: { cookie: jar.header, ...extra } };
}

describe.each(frameworks)('cookie mode on %s', (framework) => {
  beforeAll(async () => {
    running = await startApp({ APP_FRAMEWORK: framework, JWT_SECRET: 'cookie-http-test-secret-0123456789' });
    base = running.url;
  });
  afterAll(async () => running.close());

  describe('cookie login', () => {
    it('sets HttpOnly, Secure, SameSite=Lax, Path=/ __Host- token cookies and a script-readable CSRF cookie', async () => {
      const jar = await cookieLogin();
      const line = (name: string) => jar.setCookie.find((cookie) => cookie.startsWith(`${name}=`)) ?? '';
      for (const name of ['__Host-access', '__Host-refresh']) {
        expect(line(name)).toMatch(/; HttpOnly/);
        expect(line(name)).toMatch(/; Secure/);
        expect(line(name)).toMatch(/; SameSite=Lax/);
        expect(line(name)).toMatch(/; Path=\//);
        expect(line(name)).not.toMatch(/Domain=/);
      }
      expect(line('__Host-access')).toMatch(/Max-Age=900/);
      expect(line('__Host-refresh')).toMatch(/Max-Age=1209600/);
      expect(line('__Host-csrf')).not.toMatch(/HttpOnly/);
      expect(line('__Host-csrf')).toMatch(/; Secure/);
      expect(jar.cookies['__Host-csrf']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    });

    it('refuses bad credentials with 401 and sets no cookie', async () => {
      const reply = await call(base, 'POST', '/auth/cookie/login', {
        body: { username: 'alice', password: 'x' },
      });
      expect(reply.status).toBe(401);
      expect(reply.headers.getSetCookie()).toEqual([]);
    });
  });

  describe('CSRF double submit on cookie-authenticated requests', () => {
    it('lets safe methods through with the cookie alone', async () => {
      const jar = await cookieLogin();
      const me = await call(base, 'GET', '/me', withCookies(jar));
      expect(me.status).toBe(200);
      expect(me.body.username).toBe('alice');
    });

    it("refuses an unsafe method without the header, with a wrong value, or with another session's value (403 csrf_failed)", async () => {
      const jar = await cookieLogin();
      const other = await cookieLogin('bob');
      for (const extra of [
        {},
        { 'x-csrf-token': 'wrong' },
        { 'x-csrf-token': other.cookies['__Host-csrf'] as string },
      ]) {
        const reply = await call(base, 'POST', '/auth/cookie/logout', withCookies(jar, extra));
        expect(reply.status).toBe(403);
        expect(reply.body.code).toBe('csrf_failed');
        expect(reply.headers.get('www-authenticate')).toBeNull();
      }
      // The session is still live.
      expect((await call(base, 'GET', '/me', withCookies(jar))).status).toBe(200);
    });

    it('refuses a cross-site request even with the right value (Origin and Sec-Fetch-Site)', async () => {
      const jar = await cookieLogin();
      const csrf = jar.cookies['__Host-csrf'] as string;
      const evil = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(jar, { 'x-csrf-token': csrf, origin: 'https://evil.example' }),
      );
      expect(evil.body.code).toBe('csrf_failed');
      const opaque = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(jar, { 'x-csrf-token': csrf, origin: 'null' }),
      );
      expect(opaque.body.code).toBe('csrf_failed');
      const crossSite = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(jar, { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' }),
      );
      expect(crossSite.body.code).toBe('csrf_failed');
      const sameOrigin = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(jar, { 'x-csrf-token': csrf, origin: base, 'sec-fetch-site': 'same-origin' }),
      );
      expect(sameOrigin.status).toBe(204);
    });

    it('needs no CSRF header for requests with a bearer header', async () => {
      const login = await call(base, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      expect((await call(base, 'POST', '/auth/logout', { token: login.body.access_token })).status).toBe(204);
    });
  });

  describe('cookie refresh and logout', () => {
    it('refresh rotates the cookies and the CSRF value; it needs the CSRF header', async () => {
      const jar = await cookieLogin();
      const refused = await call(base, 'POST', '/auth/cookie/refresh', withCookies(jar));
      expect(refused.body.code).toBe('csrf_failed');
      const refreshed = await call(
        base,
        'POST',
        '/auth/cookie/refresh',
        withCookies(jar, { 'x-csrf-token': jar.cookies['__Host-csrf'] as string }),
      );
      expect(refreshed.status).toBe(204);
      const next = jarFrom(refreshed.headers);
      expect(next.cookies['__Host-refresh']).not.toBe(jar.cookies['__Host-refresh']);
      expect(next.cookies['__Host-csrf']).not.toBe(jar.cookies['__Host-csrf']);
      expect((await call(base, 'GET', '/me', withCookies(next))).status).toBe(200);
      // The new tokens are bound to the new value: the old one no longer passes.
      const stale = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(next, { 'x-csrf-token': jar.cookies['__Host-csrf'] as string }),
      );
      expect(stale.body.code).toBe('csrf_failed');
    });

    it('logout ends the session and clears every cookie', async () => {
      const jar = await cookieLogin();
      const out = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(jar, { 'x-csrf-token': jar.cookies['__Host-csrf'] as string }),
      );
      expect(out.status).toBe(204);
      const cleared = out.headers.getSetCookie();
      for (const name of ['__Host-access', '__Host-refresh', '__Host-csrf']) {
        expect(cleared.find((line) => line.startsWith(`${name}=;`))).toMatch(/Max-Age=0/);
      }
      const after = await call(base, 'GET', '/me', withCookies(jar));
      expect(after.body.code).toBe('token_revoked');
    });
  });

  describe('token locations', () => {
    it('reads the header first: a bad header is refused even with a good cookie', async () => {
      const jar = await cookieLogin();
      const reply = await call(base, 'GET', '/me', { token: 'not.a.token', headers: { cookie: jar.header } });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('token_invalid');
    });

    it('never takes a token from the query string', async () => {
      const login = await call(base, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      for (const name of ['access_token', 'token', 'jwt']) {
        const reply = await call(base, 'GET', `/me?${name}=${login.body.access_token}`);
        expect(reply.body.code).toBe('token_missing');
      }
    });

    it('refuses an access cookie on the cookie refresh route (wrong_token_type)', async () => {
      const jar = await cookieLogin();
      const swapped = `__Host-refresh=${jar.cookies['__Host-access']}; __Host-csrf=${jar.cookies['__Host-csrf']}`;
      const reply = await call(base, 'POST', '/auth/cookie/refresh', {
        headers: { cookie: swapped, 'x-csrf-token': jar.cookies['__Host-csrf'] as string },
      });
      expect(reply.body.code).toBe('wrong_token_type');
    });
  });

  describe('credentials travel only where they were meant to', () => {
    it('POST /auth/refresh never reads the refresh cookie: 401 token_missing and no token, even with the CSRF value', async () => {
      const jar = await cookieLogin();
      const csrf = jar.cookies['__Host-csrf'] as string;
      const reply = await call(base, 'POST', '/auth/refresh', withCookies(jar, { 'x-csrf-token': csrf }));
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('token_missing');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      const text = JSON.stringify(reply.body);
      expect(text).not.toContain('access_token');
      expect(text).not.toContain('refresh_token');
      expect(text).not.toContain(jar.cookies['__Host-refresh'] as string);
      // The refresh cookie was not spent: the cookie route still rotates it.
      const rotated = await call(
        base,
        'POST',
        '/auth/cookie/refresh',
        withCookies(jar, { 'x-csrf-token': csrf }),
      );
      expect(rotated.status).toBe(204);
    });

    it('POST /auth/cookie/refresh never reads a bearer refresh token: 401 token_missing without the cookie', async () => {
      const login = await call(base, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      const reply = await call(base, 'POST', '/auth/cookie/refresh', { token: login.body.refresh_token });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('token_missing');
      expect(reply.headers.getSetCookie()).toEqual([]);
      // Not spent either: the bearer route still takes it.
      expect((await call(base, 'POST', '/auth/refresh', { token: login.body.refresh_token })).status).toBe(
        200,
      );
    });

    it('POST /auth/cookie/refresh takes the refresh cookie even when a bearer header names another session', async () => {
      const jar = await cookieLogin();
      const bob = await call(base, 'POST', '/auth/login', {
        body: { username: 'bob', password: 'bob-pass' },
      });
      const reply = await call(
        base,
        'POST',
        '/auth/cookie/refresh',
        withCookies(jar, {
          authorization: `Bearer ${bob.body.refresh_token}`,
          'x-csrf-token': jar.cookies['__Host-csrf'] as string,
        }),
      );
      expect(reply.status).toBe(204);
      const me = await call(base, 'GET', '/me', withCookies(jarFrom(reply.headers)));
      expect(me.body.username).toBe('alice');
    });

    it('POST /auth/cookie/logout never reads a bearer access token: 401 token_missing, the session stays', async () => {
      const login = await call(base, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      const reply = await call(base, 'POST', '/auth/cookie/logout', { token: login.body.access_token });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('token_missing');
      expect((await call(base, 'GET', '/me', { token: login.body.access_token })).status).toBe(200);
    });

    it('POST /auth/fresh does not continue the session of an access cookie: its token is for a new session', async () => {
      const jar = await cookieLogin();
      const cookieSession = (await call(base, 'GET', '/me', withCookies(jar))).body.session_id;
      const fresh = await call(base, 'POST', '/auth/fresh', {
        body: { username: 'alice', password: 'alice-pass' },
        headers: { cookie: jar.header, 'x-csrf-token': jar.cookies['__Host-csrf'] as string },
      });
      expect(fresh.status).toBe(200);
      const me = await call(base, 'GET', '/me', { token: fresh.body.access_token });
      expect(me.body.session_id).toEqual(expect.any(String));
      expect(me.body.session_id).not.toBe(cookieSession);
    });

    it('other protected routes still take the access cookie or the header', async () => {
      const jar = await cookieLogin();
      expect((await call(base, 'GET', '/sessions', withCookies(jar))).status).toBe(200);
      const login = await call(base, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      expect((await call(base, 'GET', '/sessions', { token: login.body.access_token })).status).toBe(200);
    });

    it('refuses an Origin of the right host but another scheme (403 csrf_failed)', async () => {
      const jar = await cookieLogin();
      const csrf = jar.cookies['__Host-csrf'] as string;
      const otherScheme = base.replace(/^http:/, 'https:');
      const reply = await call(
        base,
        'POST',
        '/auth/cookie/logout',
        withCookies(jar, { 'x-csrf-token': csrf, origin: otherScheme }),
      );
      expect(reply.status).toBe(403);
      expect(reply.body.code).toBe('csrf_failed');
      expect((await call(base, 'GET', '/me', withCookies(jar))).status).toBe(200);
    });
  });
});
