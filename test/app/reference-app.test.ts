import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, frameworks, type RunningApp, startApp } from './start-app.js';

let running: RunningApp;
let base: string;

async function login(username: string, password = `${username}-pass`) {
  const reply = await call(base, 'POST', '/auth/login', { body: { username, password } });
  expect(reply.status).toBe(200);
  return reply.body as {
    access_token: string;
    refresh_token: string;
    token_type: string;
    expires_in: number;
  };
}

function expectRefusal(
  reply: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
) {
  expect(reply.status).toBe(status);
  expect(reply.body).toEqual({
    statusCode: status,
    code,
    error: expect.any(String),
    message: expect.any(String),
  });
  if (status === 401) expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
}

describe.each(frameworks)('the reference app on %s', (framework) => {
  beforeAll(async () => {
    running = await startApp({
      APP_FRAMEWORK: framework,
      JWT_SECRET: 'reference-app-test-secret-0123456789',
      FRESH_TTL: '300',
    });
    base = running.url;
  });
  afterAll(async () => running.close());

  describe('reference app over HTTP: login and tokens', () => {
    it('logs in with the seeded credentials and returns the token pair', async () => {
      const tokens = await login('alice');
      expect(tokens.token_type).toBe('Bearer');
      expect(tokens.expires_in).toBe(900);
      expect(tokens.access_token.split('.')).toHaveLength(3);
      expect(tokens.refresh_token).not.toBe(tokens.access_token);
    });

    it('refuses bad credentials with 401 invalid_credentials, the same for unknown users', async () => {
      expectRefusal(
        await call(base, 'POST', '/auth/login', { body: { username: 'alice', password: 'nope' } }),
        401,
        'invalid_credentials',
      );
      expectRefusal(
        await call(base, 'POST', '/auth/login', { body: { username: 'mallory', password: 'x' } }),
        401,
        'invalid_credentials',
      );
    });

    it.each([
      ['no body', undefined],
      ['not JSON', '{"username":'],
      ['missing password', { username: 'alice' }],
      ['a number for a name', { username: 1, password: 'alice-pass' }],
      ['an array', ['alice', 'alice-pass']],
      ['a huge name', { username: 'a'.repeat(10_000), password: 'x' }],
    ])('answers a malformed login body (%s) with 400 bad_request', async (_name, body) => {
      const reply = await call(base, 'POST', '/auth/login', {
        ...(body !== undefined && { body }),
        headers: { 'content-type': 'application/json' },
      });
      expectRefusal(reply, 400, 'bad_request');
    });

    it('serves /me with the access token and refuses without one (token_missing)', async () => {
      const { access_token } = await login('alice');
      const me = await call(base, 'GET', '/me', { token: access_token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ username: 'alice', roles: ['user'], session_id: expect.any(String) });
      const missing = await call(base, 'GET', '/me');
      expectRefusal(missing, 401, 'token_missing');
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('refreshes with the refresh token in the header and refuses it on /me (wrong_token_type)', async () => {
      const { access_token, refresh_token } = await login('bob');
      const refreshed = await call(base, 'POST', '/auth/refresh', { token: refresh_token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refresh_token).not.toBe(refresh_token);
      const me = await call(base, 'GET', '/me', { token: refreshed.body.access_token });
      expect(me.body.session_id).toBe(
        (await call(base, 'GET', '/me', { token: access_token })).body.session_id,
      );
      expectRefusal(await call(base, 'GET', '/me', { token: refresh_token }), 401, 'wrong_token_type');
      expectRefusal(
        await call(base, 'POST', '/auth/refresh', { token: access_token }),
        401,
        'wrong_token_type',
      );
    });

    it('never echoes a refused token in the body or headers', async () => {
      const { access_token } = await login('alice');
      const forged = `${access_token.slice(0, -6)}abcdef`;
      const reply = await call(base, 'GET', '/me', { token: forged });
      expectRefusal(reply, 401, 'token_invalid');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      const everything = JSON.stringify(reply.body) + [...reply.headers.values()].join();
      expect(everything).not.toContain(forged.split('.')[2]);
    });
  });

  describe('reference app over HTTP: fresh and role-only routes', () => {
    it('accepts the password change with the fresh login token, refuses a refreshed one', async () => {
      const { access_token, refresh_token } = await login('alice');
      const changed = await call(base, 'POST', '/account/password', {
        token: access_token,
        body: { new_password: 'alice-pass' },
      });
      expect(changed.status).toBe(204);
      const refreshed = await call(base, 'POST', '/auth/refresh', { token: refresh_token });
      const refused = await call(base, 'POST', '/account/password', {
        token: refreshed.body.access_token,
        body: { new_password: 'alice-pass' },
      });
      expectRefusal(refused, 401, 'fresh_token_required');
    });

    it('issues a fresh token in the current session with /auth/fresh, or a new session without a token', async () => {
      const { refresh_token } = await login('alice');
      const stale = (await call(base, 'POST', '/auth/refresh', { token: refresh_token })).body
        .access_token as string;
      const session = (await call(base, 'GET', '/me', { token: stale })).body.session_id;
      const fresh = await call(base, 'POST', '/auth/fresh', {
        token: stale,
        body: { username: 'alice', password: 'alice-pass' },
      });
      expect(fresh.status).toBe(200);
      expect(fresh.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
      expect((await call(base, 'GET', '/me', { token: fresh.body.access_token })).body.session_id).toBe(
        session,
      );
      const ok = await call(base, 'POST', '/account/password', {
        token: fresh.body.access_token,
        body: { new_password: 'alice-pass' },
      });
      expect(ok.status).toBe(204);
      const anonymous = await call(base, 'POST', '/auth/fresh', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      expect(
        (await call(base, 'GET', '/me', { token: anonymous.body.access_token })).body.session_id,
      ).not.toBe(session);
      expectRefusal(
        await call(base, 'POST', '/auth/fresh', { body: { username: 'alice', password: 'bad' } }),
        401,
        'invalid_credentials',
      );
    });

    it('lets admin read /admin/stats and refuses users with 403 insufficient_role', async () => {
      const admin = await login('admin');
      const stats = await call(base, 'GET', '/admin/stats', { token: admin.access_token });
      expect(stats.status).toBe(200);
      expect(stats.body.users).toBe(3);
      const user = await login('bob');
      expectRefusal(
        await call(base, 'GET', '/admin/stats', { token: user.access_token }),
        403,
        'insufficient_role',
      );
    });
  });

  describe('reference app over HTTP: public documents', () => {
    it('serves an empty JWKS under HMAC, health naming the framework, and the demo page', async () => {
      expect((await call(base, 'GET', '/.well-known/jwks.json')).body).toEqual({ keys: [] });
      expect((await call(base, 'GET', '/healthz')).body).toEqual({
        status: 'ok',
        store: 'memory',
        framework,
      });
      const home = await fetch(`${base}/`);
      expect(home.headers.get('content-type')).toContain('text/html');
    });

    // One of the two per framework, registered only where it applies: nothing shows as skipped.
    const onFastify = framework === 'fastify' ? it : () => {};
    const elsewhere = framework === 'fastify' ? () => {} : it;
    onFastify('serves the OpenAPI document and the docs page', async () => {
      const openapi = await call(base, 'GET', '/openapi.json');
      expect(openapi.status).toBe(200);
      expect(openapi.body.openapi).toMatch(/^3\./);
      expect(openapi.body.components.securitySchemes.bearerAuth).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(openapi.body.paths['/me'].get.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
      expect(openapi.body.components.securitySchemes.cookieAuth).toMatchObject({
        type: 'apiKey',
        in: 'cookie',
        name: '__Host-access',
      });
      expect(openapi.body.paths['/auth/login'].post.security).toBeUndefined();
      // Each route is marked with where its guard reads the token.
      expect(openapi.body.paths['/auth/refresh'].post.security).toEqual([{ bearerAuth: [] }]);
      expect(openapi.body.paths['/auth/cookie/logout'].post.security).toEqual([{ cookieAuth: [] }]);
      const docs = await fetch(`${base}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');
    });

    elsewhere('has no OpenAPI document: /openapi.json and /docs are 404 (Fastify only)', async () => {
      for (const path of ['/openapi.json', '/docs', '/docs/']) {
        expectRefusal(await call(base, 'GET', path), 404, 'not_found');
      }
    });
  });

  describe('reference app over HTTP: metrics', () => {
    it('serves Prometheus text with verification outcomes and logins', async () => {
      const { access_token } = await login('alice');
      await call(base, 'GET', '/me', { token: access_token });
      await call(base, 'GET', '/me', { token: 'x.y.z' });
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(/authjwt_verifications_total\{outcome="ok"\} [1-9]/);
      expect(text).toMatch(/authjwt_verifications_total\{outcome="token_invalid"\} [1-9]/);
      expect(text).toMatch(/authjwt_logins_total [1-9]/);
    });
  });
});
