import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildExpress } from '../../examples/express/app.js';
import { buildApp as buildFastify } from '../../examples/fastify/app.js';
import { buildApp as buildHono } from '../../examples/hono/app.js';
import { buildApp as buildNest } from '../../examples/nestjs/app.js';

/*
 * Issue 13, point 7: the examples a newcomer runs, started the way their main.ts starts them (on
 * 127.0.0.1, port 0 here, the in-memory store) and walked over real HTTP: login, the guarded routes,
 * refresh, logout and the refused token afterwards, in bearer and in cookie mode.
 */

const secret = 'examples-test-secret-0123456789abcdefghijkl';

interface Running {
  url: string;
  close(): Promise<void>;
}

function closing(server: Server): () => Promise<void> {
  return () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

const examples: Record<string, (cookies: boolean) => Promise<Running>> = {
  fastify: async (cookies) => {
    const app = await buildFastify({ secret, cookies });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  },
  express: async (cookies) => {
    const server = buildExpress({ secret, cookies }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: closing(server) };
  },
  hono: async (cookies) => {
    const app = buildHono({ secret, cookies });
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
        resolve({ url: `http://127.0.0.1:${info.port}`, close: closing(server as Server) }),
      );
    });
  },
  // The Nest example on each of its platforms: the same routes, guards and answers on both.
  ...Object.fromEntries(
    (['express', 'fastify'] as const).map((platform) => [
      `nestjs (${platform})`,
      async (cookies: boolean) => {
        const app = await buildNest({ secret, cookies, platform });
        await app.listen(0, '127.0.0.1');
        return { url: await app.getUrl(), close: () => app.close() };
      },
    ]),
  ),
};

interface Answer {
  status: number;
  body: Record<string, unknown>;
  cookies: string[];
}

async function call(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: object,
) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, body: parsed, cookies: response.headers.getSetCookie() } satisfies Answer;
}

const bearer = (token: unknown) => ({ authorization: `Bearer ${token}` });
const tokenKeys = ['access_token', 'expires_in', 'refresh_token', 'token_type'];

describe.each(Object.keys(examples))('the %s example', (name) => {
  let app: Running;
  let headerOnly: Running;
  beforeAll(async () => {
    const start = examples[name] as (cookies: boolean) => Promise<Running>;
    [app, headerOnly] = await Promise.all([start(true), start(false)]);
  });
  afterAll(async () => {
    await Promise.all([app?.close(), headerOnly?.close()]);
  });

  it('logs in, serves /me and the admin route by role, refreshes and logs out; the ended tokens are refused', async () => {
    const wrong = await call(app.url, 'POST', '/auth/login', {}, { username: 'alice', password: 'nope' });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'invalid_credentials']);
    const nobody = await call(app.url, 'GET', '/me');
    expect([nobody.status, nobody.body.code]).toEqual([401, 'token_missing']);

    const login = await call(
      app.url,
      'POST',
      '/auth/login',
      {},
      { username: 'alice', password: 'alice-pass' },
    );
    expect(login.status).toBe(200);
    expect(Object.keys(login.body).sort()).toEqual(tokenKeys);
    expect(login.body.token_type).toBe('Bearer');
    const me = await call(app.url, 'GET', '/me', bearer(login.body.access_token));
    expect([me.status, me.body]).toEqual([200, { user: 'alice', roles: ['user'] }]);
    const refused = await call(app.url, 'GET', '/admin', bearer(login.body.access_token));
    expect([refused.status, refused.body.code]).toEqual([403, 'insufficient_role']);

    // Refresh answers in login's shape, with new tokens.
    const refresh = await call(app.url, 'POST', '/auth/refresh', bearer(login.body.refresh_token));
    expect(refresh.status).toBe(200);
    expect(Object.keys(refresh.body).sort()).toEqual(tokenKeys);
    expect(refresh.body.refresh_token).not.toBe(login.body.refresh_token);
    const access = refresh.body.access_token;
    expect((await call(app.url, 'GET', '/me', bearer(access))).status).toBe(200);

    const logout = await call(app.url, 'POST', '/auth/logout', bearer(access));
    expect(logout.status).toBe(204);
    for (const [method, path, token] of [
      ['GET', '/me', access],
      ['GET', '/me', login.body.access_token],
      ['POST', '/auth/refresh', refresh.body.refresh_token],
    ] as const) {
      const after = await call(app.url, method, path, bearer(token));
      expect([after.status, after.body.code]).toEqual([401, 'token_revoked']);
    }

    const admin = await call(
      app.url,
      'POST',
      '/auth/login',
      {},
      { username: 'admin', password: 'admin-pass' },
    );
    const adminRoute = await call(app.url, 'GET', '/admin', bearer(admin.body.access_token));
    expect([adminRoute.status, adminRoute.body]).toEqual([200, { admin: true }]);
  });

  it('cookie mode: logs in to cookies, refreshes and logs out with the CSRF header; the old cookies are refused', async () => {
    const login = await call(
      app.url,
      'POST',
      '/auth/cookie/login',
      {},
      { username: 'alice', password: 'alice-pass' },
    );
    expect(login.status).toBe(204);
    expect(login.cookies.map((line) => line.split('=')[0])).toEqual([
      '__Host-access',
      '__Host-refresh',
      '__Host-csrf',
    ]);
    const jar = (lines: string[]) => lines.map((line) => line.split(';')[0]).join('; ');
    const csrfOf = (lines: string[]) => /__Host-csrf=([^;]*)/.exec(lines.join('\n'))?.[1] ?? '';
    const cookie = jar(login.cookies);
    expect((await call(app.url, 'GET', '/me', { cookie })).body).toEqual({ user: 'alice', roles: ['user'] });

    const noCsrf = await call(app.url, 'POST', '/auth/cookie/refresh', { cookie });
    expect([noCsrf.status, noCsrf.body.code]).toEqual([403, 'csrf_failed']);
    const refresh = await call(app.url, 'POST', '/auth/cookie/refresh', {
      cookie,
      'x-csrf-token': csrfOf(login.cookies),
    });
    expect(refresh.status).toBe(204);
    const renewed = jar(refresh.cookies);
    expect(renewed).not.toBe(cookie);

    const logout = await call(app.url, 'POST', '/auth/cookie/logout', {
      cookie: renewed,
      'x-csrf-token': csrfOf(refresh.cookies),
    });
    expect(logout.status).toBe(204);
    expect(logout.cookies.every((line) => /Max-Age=0/i.test(line))).toBe(true);
    for (const old of [cookie, renewed]) {
      const after = await call(app.url, 'GET', '/me', { cookie: old });
      expect([after.status, after.body.code]).toEqual([401, 'token_revoked']);
    }
  });

  it('without cookies: no cookie routes, bearer routes as before', async () => {
    const login = await call(
      headerOnly.url,
      'POST',
      '/auth/cookie/login',
      {},
      { username: 'alice', password: 'alice-pass' },
    );
    expect(login.status).toBe(404);
    const bearerLogin = await call(
      headerOnly.url,
      'POST',
      '/auth/login',
      {},
      { username: 'alice', password: 'alice-pass' },
    );
    expect((await call(headerOnly.url, 'GET', '/me', bearer(bearerLogin.body.access_token))).status).toBe(
      200,
    );
  });
});

describe('the Fastify example', () => {
  it('serves its OpenAPI document with cookie mode on (the README setup that answered 500)', async () => {
    const app = await buildFastify({ secret, cookies: true });
    const response = await app.inject('/docs/json');
    expect(response.statusCode).toBe(200);
    const paths = (response.json() as { paths: Record<string, Record<string, { security?: unknown }>> })
      .paths;
    expect(paths['/me']?.get?.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    await app.close();
  });
});

describe('the examples', () => {
  it('share one demo users file', () => {
    const read = (name: string) =>
      readFileSync(new URL(`../../examples/${name}/users.ts`, import.meta.url), 'utf8');
    expect(read('express')).toBe(read('fastify'));
    expect(read('hono')).toBe(read('fastify'));
    expect(read('nestjs')).toBe(read('fastify'));
  });
});
