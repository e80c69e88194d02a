import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuth } from 'authjwt';
import { createHttpAuth } from 'authjwt/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guarded } from '../../examples/node-http/adapter.js';

/*
 * Issue 13, point 1: the HTTP layer owns the request logic, so a third party's adapter for a framework
 * authjwt does not know (here plain node:http, examples/node-http/adapter.ts, 39 lines) gets the
 * guards, token locations, CSRF, refusals and renewal of the built-in ones. Over real HTTP.
 */

const auth = createAuth({
  signingKey: { alg: 'HS256', key: 'node-http-adapter-secret-0123456789abcdef' },
  renewAccessTokenWithin: 900,
});
const http = createHttpAuth({ auth, cookies: true });
const me = guarded(http, http.requireAccess(), (_request, response, context) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ subject: context?.subject }));
});
const admin = guarded(http, http.requireRoles('admin'), (_request, response) => {
  response.writeHead(204);
  response.end();
});
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = request.url === '/admin' ? admin : me;
    route(request, response).catch(() => {
      response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The `Cookie` header a browser would send back for these `Set-Cookie` values. */
function cookieHeader(setCookies: readonly string[]): string {
  return setCookies.map((cookie) => cookie.split(';')[0]).join('; ');
}

describe('a 39-line node:http adapter on authjwt/http', () => {
  it('refuses a request without a token with 401 token_missing and the Bearer challenge', async () => {
    const response = await fetch(`${base}/me`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ statusCode: 401, code: 'token_missing' });
  });

  it('admits a bearer token, and delivers the renewed access token in the renewal header', async () => {
    const pair = await auth.login({ subject: 'alice' });
    const response = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${pair.accessToken}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'alice' });
    expect(response.headers.get('x-renewed-access-token')).toMatch(/^ey/);
  });

  it('refuses a forged token with 401 token_invalid and the invalid_token challenge', async () => {
    const response = await fetch(`${base}/me`, { headers: { authorization: 'Bearer ey.forged.token' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await response.json()) as { code: string }).code).toBe('token_invalid');
  });

  it('reads the access cookie, and demands the CSRF header and an allowed Origin on unsafe methods', async () => {
    const pair = await auth.login({ subject: 'alice', csrf: true });
    const cookie = cookieHeader(http.tokenCookies(pair));
    const read = await fetch(`${base}/me`, { headers: { cookie } });
    expect(read.status).toBe(200);
    expect(read.headers.getSetCookie().join()).toContain('__Host-access=');
    const forged = await fetch(`${base}/me`, { method: 'POST', headers: { cookie, origin: base } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('csrf_failed');
    const crossSite = await fetch(`${base}/me`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': pair.csrfToken ?? '' },
    });
    expect(crossSite.status).toBe(403);
    const honest = await fetch(`${base}/me`, {
      method: 'POST',
      headers: { cookie, origin: base, 'x-csrf-token': pair.csrfToken ?? '' },
    });
    expect(honest.status).toBe(200);
  });

  it('refuses a token without the role with 403 insufficient_role', async () => {
    const pair = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    const response = await fetch(`${base}/admin`, {
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('insufficient_role');
    const boss = await auth.login({ subject: 'root', claims: { roles: ['admin'] } });
    const allowed = await fetch(`${base}/admin`, {
      headers: { authorization: `Bearer ${boss.accessToken}` },
    });
    expect(allowed.status).toBe(204);
  });
});
