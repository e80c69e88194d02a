import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resource, startProvider, type TestProvider, webClientId } from '../helpers/oidc-provider.js';
import { call, frameworks, type RunningApp, startApp } from './start-app.js';

/*
 * Issue 14, point 5: the reference app with `OIDC_ISSUER` (reference-app.md) against a real OpenID
 * provider (oidc-provider) on loopback, on each framework over real HTTP: its JWT access tokens on
 * `GET /external/me`, its ID tokens signing in through `POST /auth/exchange` into ordinary sessions
 * (`/me`, `/sessions`, refresh, logout), and the refusals: the app's own token on `/external/me`, an
 * access token or a forged, altered or foreign token on `/auth/exchange`, a wrong nonce.
 */

const secret = 'oidc-http-test-secret-0123456789abcdef';
let provider: TestProvider;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider?.close());

const oidcEnv = () => ({
  JWT_SECRET: secret,
  OIDC_ISSUER: provider.issuer,
  OIDC_AUDIENCE: resource,
  OIDC_CLIENT_ID: webClientId,
  OIDC_ALLOW_HTTP: '1',
});

/** The contract's refusal body, with its code. */
const refusedWith = (code: string) => expect.objectContaining({ code, statusCode: expect.any(Number) });

describe.each(frameworks)('the reference app with OIDC_ISSUER on %s', (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ ...oidcEnv(), APP_FRAMEWORK: framework });
  });
  afterAll(() => app?.close());

  it("answers /external/me with the provider's access token: subject, issuer, scopes", async () => {
    const token = await provider.accessToken({ scope: 'read:items write:items' });
    const reply = await call(app.url, 'GET', '/external/me', { token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      subject: expect.any(String),
      issuer: provider.issuer,
      scopes: ['read:items', 'write:items'],
    });
    // The provider's access tokens are for /external/me only: the app's own routes refuse them.
    expect((await call(app.url, 'GET', '/me', { token })).status).toBe(401);
  });

  it("refuses the app's own tokens and anything else on /external/me (401)", async () => {
    const login = await call(app.url, 'POST', '/auth/login', {
      body: { username: 'alice', password: 'alice-pass' },
    });
    const own = await call(app.url, 'GET', '/external/me', { token: login.body.access_token });
    expect(own.status).toBe(401);
    expect(own.body).toEqual(refusedWith('token_invalid'));
    expect(own.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    const missing = await call(app.url, 'GET', '/external/me');
    expect([missing.status, missing.body.code]).toEqual([401, 'token_missing']);
    // An ID token is not an access token of the API: its audience is the client's.
    const idToken = await provider.idToken({ accountId: 'dana' });
    expect((await call(app.url, 'GET', '/external/me', { token: idToken })).status).toBe(401);
  });

  it('signs in with an ID token into an ordinary session: /me, /sessions, refresh, logout', async () => {
    const idToken = await provider.idToken({ accountId: 'erin', nonce: 'nonce-erin-1' });
    const exchange = await call(app.url, 'POST', '/auth/exchange', {
      body: { id_token: idToken, nonce: 'nonce-erin-1' },
      headers: { 'user-agent': 'oidc-test-agent' },
    });
    expect(exchange.status).toBe(200);
    expect(exchange.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
    });
    const token = exchange.body.access_token;
    const me = await call(app.url, 'GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'erin', roles: ['user'], session_id: expect.any(String) });
    const sessions = await call(app.url, 'GET', '/sessions', { token });
    expect(sessions.body).toEqual([
      expect.objectContaining({ current: true, user_agent: 'oidc-test-agent' }),
    ]);

    const refreshed = await call(app.url, 'POST', '/auth/refresh', { token: exchange.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect((await call(app.url, 'POST', '/auth/logout', { token: refreshed.body.access_token })).status).toBe(
      204,
    );
    const after = await call(app.url, 'GET', '/me', { token: refreshed.body.access_token });
    expect([after.status, after.body.code]).toEqual([401, 'token_revoked']);
  });

  it("never makes the issuer's subject one of the app's own users", async () => {
    const exchange = await call(app.url, 'POST', '/auth/exchange', {
      body: { id_token: await provider.idToken({ accountId: 'admin' }) },
    });
    expect(exchange.status).toBe(200);
    const me = await call(app.url, 'GET', '/me', { token: exchange.body.access_token });
    expect(me.body.roles).toEqual(['user']);
    const stats = await call(app.url, 'GET', '/admin/stats', { token: exchange.body.access_token });
    expect([stats.status, stats.body.code]).toEqual([403, 'insufficient_role']);
  });

  it('refuses a wrong nonce, an access token, an altered or foreign token (401), a malformed body (400)', async () => {
    const idToken = await provider.idToken({ accountId: 'frank', nonce: 'nonce-frank' });
    const wrongNonce = await call(app.url, 'POST', '/auth/exchange', {
      body: { id_token: idToken, nonce: 'other' },
    });
    expect([wrongNonce.status, wrongNonce.body]).toEqual([401, refusedWith('token_invalid')]);

    const accessToken = await provider.accessToken();
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url')}.${signature}`;
    const login = await call(app.url, 'POST', '/auth/login', {
      body: { username: 'bob', password: 'bob-pass' },
    });
    for (const token of [accessToken, altered, login.body.access_token, 'a.b.c']) {
      const reply = await call(app.url, 'POST', '/auth/exchange', { body: { id_token: token } });
      expect(reply.status).toBe(401);
      expect(JSON.stringify(reply.body)).not.toContain(token);
    }
    for (const body of [{}, { id_token: 42 }, { id_token: '' }, 'not json']) {
      const reply = await call(app.url, 'POST', '/auth/exchange', { body });
      expect([reply.status, reply.body.code]).toEqual([400, 'bad_request']);
    }
  });
});

describe('the reference app without OIDC_ISSUER', () => {
  it('has neither /external/me nor /auth/exchange (404)', async () => {
    const app = await startApp({ JWT_SECRET: secret });
    try {
      expect((await call(app.url, 'GET', '/external/me')).status).toBe(404);
      expect((await call(app.url, 'POST', '/auth/exchange', { body: { id_token: 'x' } })).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('refuses OIDC_ISSUER without an audience or a client id at start', async () => {
    await expect(() =>
      startApp({ JWT_SECRET: secret, OIDC_ISSUER: 'https://issuer.example' }),
    ).rejects.toThrow(/OIDC_AUDIENCE/);
  });
});
