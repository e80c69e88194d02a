import { createAuth, memoryStore } from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

const secret = 'renewal-test-secret-0123456789abcdef';

async function makeApp() {
  let now = Date.now();
  const clock = () => now;
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret },
    clock,
    store: memoryStore({ clock }),
    accessTtl: 600,
    renewAccessTokenWithin: 60,
  });
  const app = Fastify();
  await app.register(authjwtFastify, { auth, cookies: { secure: false } });
  app.get('/me', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
    sid: request.auth?.sessionId,
  }));
  await app.ready();
  return { app, auth, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('sliding renewal through the Fastify plugin', () => {
  it('header mode: near expiry the response carries a new access token in x-renewed-access-token', async () => {
    const { app, auth, advance } = await makeApp();
    const pair = await auth.login({ subject: 'alice' });
    const early = await app.inject({ url: '/me', headers: { authorization: `Bearer ${pair.accessToken}` } });
    expect(early.headers['x-renewed-access-token']).toBeUndefined();
    advance(550);
    const late = await app.inject({ url: '/me', headers: { authorization: `Bearer ${pair.accessToken}` } });
    const renewed = late.headers['x-renewed-access-token'] as string;
    expect(renewed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    advance(100); // the first token has expired; the renewed one carries on in the same session
    const next = await app.inject({ url: '/me', headers: { authorization: `Bearer ${renewed}` } });
    expect(next.statusCode).toBe(200);
    expect(next.json().sid).toBe(pair.sessionId);
    await app.close();
  });

  it('cookie mode: near expiry the response sets a new access cookie, CSRF binding kept', async () => {
    const { app, auth, advance } = await makeApp();
    const pair = await auth.login({ subject: 'alice', csrf: true });
    advance(550);
    const late = await app.inject({ url: '/me', headers: { cookie: `access=${pair.accessToken}` } });
    expect(late.statusCode).toBe(200);
    const setCookie = String(late.headers['set-cookie']);
    expect(setCookie).toMatch(/^access=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const renewed = /^access=([^;]+)/.exec(setCookie)?.[1] as string;
    expect(auth.tokens.verifyAccessToken(renewed).csrf).toBe(pair.csrfToken);
    expect(late.headers['x-renewed-access-token']).toBeUndefined();
    await app.close();
  });
});
