import { createAuth } from 'authjwt';
import { authjwtFastify, createAuthErrorHandler } from 'authjwt/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

const secret = 'a-test-secret-that-is-32-bytes!!';

async function makeApp(now = () => Date.now()) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret },
    clock: now,
    freshTtl: 60,
    accessTtl: 600,
  });
  const app = Fastify();
  app.setErrorHandler(createAuthErrorHandler());
  await app.register(authjwtFastify, { auth, realm: 'test' });
  app.get('/open', async () => ({ ok: true }));
  app.get('/private', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
    sub: request.auth?.subject,
  }));
  app.get('/maybe', { onRequest: app.authjwt.optionalAccess() }, async (request) => ({
    sub: request.auth?.subject ?? null,
  }));
  app.post('/refresh', { onRequest: app.authjwt.requireRefresh() }, async (request) =>
    auth.refresh(request.auth),
  );
  app.post('/sensitive', { onRequest: app.authjwt.requireFresh() }, async () => ({ ok: true }));
  app.get('/admin', { onRequest: app.authjwt.requireRoles('admin') }, async () => ({ ok: true }));
  app.get('/staff', { preHandler: app.authjwt.requireRoles('admin', 'staff') }, async () => ({ ok: true }));
  await app.ready();
  return { app, auth };
}

let current: FastifyInstance | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

describe('Fastify plugin guards', () => {
  it('lets a valid access token through and puts the context on the request', async () => {
    const { app, auth } = await makeApp();
    current = app;
    const { accessToken } = await auth.login({ subject: 'alice' });
    const response = await app.inject({ url: '/private', headers: bearer(accessToken) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'alice' });
  });

  it('answers 401 token_missing with a bare challenge when no token is sent', async () => {
    const { app } = await makeApp();
    current = app;
    const response = await app.inject({ url: '/private' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="test"');
    expect(response.json()).toEqual({
      statusCode: 401,
      code: 'token_missing',
      error: 'Unauthorized',
      message: 'No token was sent',
    });
  });

  it('answers 401 token_invalid with error="invalid_token" and never echoes the token', async () => {
    const { app, auth } = await makeApp();
    current = app;
    const { accessToken } = await auth.login({ subject: 'alice' });
    const tampered = `${accessToken.slice(0, -4)}AAAA`;
    const response = await app.inject({ url: '/private', headers: bearer(tampered) });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="test", error="invalid_token"');
    expect(response.json().code).toBe('token_invalid');
    expect(response.body).not.toContain(tampered.slice(0, 20));
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 401 token_invalid for credentials with characters outside b64token', async () => {
    const { app } = await makeApp();
    current = app;
    for (const value of ['Bearer a,b', 'Bearer "a"', 'Bearer a\u0000b', 'Bearer é', 'Bearer a b']) {
      const response = await app.inject({ url: '/private', headers: { authorization: value } });
      expect(response.statusCode, value).toBe(401);
      expect(response.json().code).toBe('token_invalid');
    }
  });

  it('refuses a refresh token presented as an access token (wrong_token_type), and the reverse', async () => {
    const { app, auth } = await makeApp();
    current = app;
    const { accessToken, refreshToken } = await auth.login({ subject: 'alice' });
    const asAccess = await app.inject({ url: '/private', headers: bearer(refreshToken) });
    expect(asAccess.statusCode).toBe(401);
    expect(asAccess.json().code).toBe('wrong_token_type');
    const asRefresh = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(accessToken) });
    expect(asRefresh.statusCode).toBe(401);
    expect(asRefresh.json().code).toBe('wrong_token_type');
    const refreshed = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(refreshToken) });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().accessToken).toBeTypeOf('string');
  });

  it('answers token_expired after the access token lifetime', async () => {
    let now = Date.now();
    const { app, auth } = await makeApp(() => now);
    current = app;
    const { accessToken } = await auth.login({ subject: 'alice' });
    now += 601_000;
    const response = await app.inject({ url: '/private', headers: bearer(accessToken) });
    expect(response.json().code).toBe('token_expired');
  });

  it('optional access passes without a token but still refuses a bad one', async () => {
    const { app, auth } = await makeApp();
    current = app;
    expect((await app.inject({ url: '/maybe' })).json()).toEqual({ sub: null });
    const { accessToken } = await auth.login({ subject: 'bob' });
    expect((await app.inject({ url: '/maybe', headers: bearer(accessToken) })).json()).toEqual({
      sub: 'bob',
    });
    const bad = await app.inject({ url: '/maybe', headers: bearer('x.y.z') });
    expect(bad.statusCode).toBe(401);
  });

  it('requires a fresh token: fresh after login, fresh_token_required after freshTtl and after refresh', async () => {
    let now = Date.now();
    const { app, auth } = await makeApp(() => now);
    current = app;
    const pair = await auth.login({ subject: 'alice' });
    expect(
      (await app.inject({ method: 'POST', url: '/sensitive', headers: bearer(pair.accessToken) })).statusCode,
    ).toBe(200);
    const refreshed = await auth.refresh(pair.refreshToken);
    const notFresh = await app.inject({
      method: 'POST',
      url: '/sensitive',
      headers: bearer(refreshed.accessToken),
    });
    expect(notFresh.statusCode).toBe(401);
    expect(notFresh.json().code).toBe('fresh_token_required');
    now += 61_000;
    const stale = await app.inject({ method: 'POST', url: '/sensitive', headers: bearer(pair.accessToken) });
    expect(stale.json().code).toBe('fresh_token_required');
  });

  it('requires roles: 403 insufficient_role with insufficient_scope, any listed role passes', async () => {
    const { app, auth } = await makeApp();
    current = app;
    const user = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    const staff = await auth.login({ subject: 'sam', claims: { roles: ['staff'] } });
    const denied = await app.inject({ url: '/admin', headers: bearer(user.accessToken) });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('insufficient_role');
    expect(denied.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect((await app.inject({ url: '/staff', headers: bearer(staff.accessToken) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/admin', headers: bearer(staff.accessToken) })).statusCode).toBe(403);
  });

  it('never lets a malformed Authorization header break an unguarded route', async () => {
    const { app } = await makeApp();
    current = app;
    for (const value of ['Bearer', 'Bearer a b c', 'Basic ???', 'Bearer \u00e9', 'x'.repeat(10_000)]) {
      const response = await app.inject({ url: '/open', headers: { authorization: value } });
      expect(response.statusCode).toBe(200);
    }
  });

  it('refuses a role guard without roles at registration time', async () => {
    const { app } = await makeApp();
    current = app;
    expect(() => app.authjwt.requireRoles()).toThrow(/requireRoles/);
  });

  it('publishes the JWKS (empty under HMAC) at /.well-known/jwks.json', async () => {
    const { app } = await makeApp();
    current = app;
    const response = await app.inject({ url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ keys: [] });
  });

  it('reads another header and scheme when configured', async () => {
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
    const app = Fastify();
    current = app;
    await app.register(authjwtFastify, { auth, header: 'X-Api-Token', scheme: 'Token', jwksPath: false });
    app.get('/p', { onRequest: app.authjwt.requireAccess() }, async () => ({ ok: true }));
    const { accessToken } = await auth.login({ subject: 'a' });
    expect(
      (await app.inject({ url: '/p', headers: { 'x-api-token': `Token ${accessToken}` } })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/p', headers: bearer(accessToken) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/.well-known/jwks.json' })).statusCode).toBe(404);
  });

  it('decides a cached request at once (done called, no promise) and a cold one through a promise', async () => {
    const { app, auth } = await makeApp();
    current = app;
    const { accessToken } = await auth.login({ subject: 'alice' });
    const guard = app.authjwt.requireAccess();
    const call = () => {
      const request = { headers: bearer(accessToken), method: 'GET' } as unknown as FastifyRequest;
      let done = false;
      const returned = guard(request, {} as FastifyReply, () => {
        done = true;
      });
      return { request, returned, done };
    };
    const cold = call();
    expect(cold.returned).toBeInstanceOf(Promise);
    expect(cold.done).toBe(false); // Fastify awaits the promise instead of a done call
    await cold.returned;
    expect(cold.request.auth?.subject).toBe('alice');
    const warm = call();
    expect(warm.returned).toBeUndefined();
    expect(warm.done).toBe(true);
    expect(warm.request.auth?.subject).toBe('alice');
  });

  it('answers 500, never a pass, when the core fails with something other than an AuthError, cold or cached', async () => {
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      roles: () => {
        throw new Error('roles hook broke');
      },
    });
    const app = Fastify({ logger: false });
    current = app;
    await app.register(authjwtFastify, { auth });
    let reached = 0;
    app.get('/p', { onRequest: app.authjwt.requireAccess() }, async () => {
      reached++;
      return { ok: true };
    });
    const { accessToken } = await auth.login({ subject: 'a' });
    for (let i = 0; i < 3; i++) {
      expect((await app.inject({ url: '/p', headers: bearer(accessToken) })).statusCode).toBe(500);
    }
    expect(reached).toBe(0);
    expect(auth.metrics().verifications.error).toBe(3);
  });

  it('refuses registration without an auth instance', async () => {
    const app = Fastify();
    await expect(app.register(authjwtFastify, {} as never).ready()).rejects.toThrow(/auth/);
  });
});
