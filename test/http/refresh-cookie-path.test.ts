/**
 * Issue 15.2 over real HTTP: a refresh cookie scoped to the refresh route (`cookies.refreshPath`,
 * named `__Secure-refresh` since `__Host-` forces `Path=/`), and browser-session cookies for a session
 * without "remember me". Driven with fetch against a listening Fastify app, then in real Chromium,
 * which decides by itself where each cookie goes.
 */
import { type Auth, createAuth } from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuite, launchChromium } from '../browser/chromium.js';

const secret = 'refresh-cookie-path-secret-0123456789';
const refreshPath = '/auth/cookie/refresh';

let app: FastifyInstance;
let auth: Auth;
let url: string;

beforeAll(async () => {
  auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
  app = Fastify();
  await app.register(authjwtFastify, { auth, cookies: { refreshPath }, jwksPath: false });
  app.get('/', async (_request, reply) => reply.type('text/html').send('<!doctype html><title>t</title>'));
  app.post<{ Querystring: { remember?: string } }>('/auth/cookie/login', async (request, reply) => {
    const pair = await auth.login({ subject: 'alice', csrf: true, remember: request.query.remember !== '0' });
    app.authjwt.setTokenCookies(reply, pair);
    return reply.code(204).send();
  });
  app.post(
    refreshPath,
    { preHandler: app.authjwt.requireRefresh({ from: 'cookie' }) },
    async (request, reply) => {
      app.authjwt.setTokenCookies(reply, await auth.refresh(request.auth));
      return reply.code(204).send();
    },
  );
  app.post(
    '/auth/cookie/logout',
    { preHandler: app.authjwt.requireAccess({ from: 'cookie' }) },
    async (_r, reply) => {
      app.authjwt.clearTokenCookies(reply);
      return reply.code(204).send();
    },
  );
  // Which of our cookies a request to any other path carried.
  app.get('/cookies-sent', async (request) =>
    (request.headers.cookie ?? '')
      .split(';')
      .map((pair) => pair.trim().split('=')[0])
      .filter((name) => name !== ''),
  );
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await auth?.close();
});

/** name -> the whole Set-Cookie line. */
function setCookies(response: Response): Map<string, string> {
  return new Map(response.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line]));
}
const cookieValue = (line: string | undefined) => (line ?? '').split(';')[0]?.split('=')[1] ?? '';

describe('cookies.refreshPath over HTTP', () => {
  it('names the refresh cookie __Secure-refresh with Path=<refresh path>; the others stay __Host- at /', async () => {
    const login = await fetch(`${url}/auth/cookie/login`, { method: 'POST' });
    expect(login.status).toBe(204);
    const cookies = setCookies(login);
    expect([...cookies.keys()].sort()).toEqual(['__Host-access', '__Host-csrf', '__Secure-refresh']);
    expect(cookies.get('__Secure-refresh')).toMatch(/; Path=\/auth\/cookie\/refresh;.*HttpOnly; Secure/);
    expect(cookies.get('__Host-access')).toMatch(/; Path=\/;/);
    expect(cookies.get('__Host-access')).toMatch(/Max-Age=900/);
  });

  it('the refresh route reads the refresh cookie under its name in use, and not under __Host-refresh', async () => {
    const cookies = setCookies(await fetch(`${url}/auth/cookie/login`, { method: 'POST' }));
    const refresh = cookieValue(cookies.get('__Secure-refresh'));
    const csrf = cookieValue(cookies.get('__Host-csrf'));
    const refreshWith = (cookie: string) =>
      fetch(`${url}${refreshPath}`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    const wrongName = await refreshWith(`__Host-refresh=${refresh}; __Host-csrf=${csrf}`);
    expect([wrongName.status, ((await wrongName.json()) as { code: string }).code]).toEqual([
      401,
      'token_missing',
    ]);
    const rotated = await refreshWith(`__Secure-refresh=${refresh}; __Host-csrf=${csrf}`);
    expect(rotated.status).toBe(204);
    expect(setCookies(rotated).get('__Secure-refresh')).toMatch(/Path=\/auth\/cookie\/refresh/);
  });

  it('remember=false: no Max-Age or Expires on any token cookie, at login and after a rotation', async () => {
    const login = setCookies(await fetch(`${url}/auth/cookie/login?remember=0`, { method: 'POST' }));
    for (const line of login.values()) expect(line).not.toMatch(/Max-Age|Expires/i);
    const csrf = cookieValue(login.get('__Host-csrf'));
    const rotated = await fetch(`${url}${refreshPath}`, {
      method: 'POST',
      headers: {
        cookie: `__Secure-refresh=${cookieValue(login.get('__Secure-refresh'))}; __Host-csrf=${csrf}`,
        'x-csrf-token': csrf,
      },
    });
    expect(rotated.status).toBe(204);
    expect(rotated.headers.getSetCookie().length).toBe(3);
    for (const line of rotated.headers.getSetCookie()) expect(line).not.toMatch(/Max-Age|Expires/i);
  });

  it('clearing the cookies clears the refresh cookie at its own path', async () => {
    const login = setCookies(await fetch(`${url}/auth/cookie/login`, { method: 'POST' }));
    const csrf = cookieValue(login.get('__Host-csrf'));
    const logout = await fetch(`${url}/auth/cookie/logout`, {
      method: 'POST',
      headers: {
        cookie: `__Host-access=${cookieValue(login.get('__Host-access'))}; __Host-csrf=${csrf}`,
        'x-csrf-token': csrf,
      },
    });
    expect(logout.status).toBe(204);
    expect(setCookies(logout).get('__Secure-refresh')).toMatch(/Max-Age=0; Path=\/auth\/cookie\/refresh/);
  });
});

const { suite: inChromium, skipNote } = browserSuite('test/http/refresh-cookie-path.test.ts');

inChromium(`cookies.refreshPath in Chromium${skipNote}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('sends the refresh cookie to the refresh route only; remember=false cookies are session cookies', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      const result = await page.evaluate(async (path) => {
        const login = await fetch('/auth/cookie/login?remember=0', { method: 'POST' });
        const sentElsewhere = (await (await fetch('/cookies-sent')).json()) as string[];
        // The project compiles without lib.dom; the cast is erased before this runs in the page.
        const doc = (globalThis as unknown as { document: { cookie: string } }).document;
        const csrf = /__Host-csrf=([^;]+)/.exec(doc.cookie)?.[1] ?? '';
        const refresh = await fetch(path, { method: 'POST', headers: { 'x-csrf-token': csrf } });
        return { login: login.status, sentElsewhere, refresh: refresh.status };
      }, refreshPath);
      expect(result).toEqual({ login: 204, sentElsewhere: ['__Host-access', '__Host-csrf'], refresh: 204 });
      const cookies = await context.cookies();
      expect(cookies.map((cookie) => [cookie.name, cookie.path, cookie.expires]).sort()).toEqual([
        ['__Host-access', '/', -1],
        ['__Host-csrf', '/', -1],
        ['__Secure-refresh', refreshPath, -1],
      ]);
    } finally {
      await context.close();
    }
  }, 30_000);
});
