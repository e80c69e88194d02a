import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { call, type RunningApp, startApp } from '../app/start-app.js';
import { type RedisServer, rawCommand, startRedisServer } from '../helpers/redis-server.js';
import { browserSuite, launchChromium } from './chromium.js';
import {
  clientPage,
  fetchFrom,
  inPage,
  metric,
  recordRequests,
  seenIn,
  testSecret,
} from './client-harness.js';

// authjwt/client in Chromium against the real reference app: the fetch wrapper, in both modes.
const { suite, skipNote } = browserSuite('test/browser/client.test.ts');

let browser: Browser;
let app: RunningApp; // default lifetimes
let shortLived: RunningApp; // a 3 s access token
const contexts: BrowserContext[] = [];

async function newContext() {
  const context = await browser.newContext();
  contexts.push(context);
  return context;
}

const login = (page: Parameters<typeof inPage>[0], username = 'alice') =>
  inPage<void>(page, `await client.login({ username: '${username}', password: '${username}-pass' });`);

suite(`authjwt/client in a real browser (Chromium)${skipNote}`, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    [app, shortLived] = await Promise.all([
      startApp({ JWT_SECRET: testSecret }),
      startApp({ JWT_SECRET: testSecret, ACCESS_TTL: '3' }),
    ]);
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([app?.close(), shortLived?.close()]);
  });

  it('header mode: a login in one tab is every tab’s, requests carry the bearer token, a logout ends every tab', async () => {
    const context = await newContext();
    const one = await clientPage(context, app.url, { mode: 'header' });
    const two = await clientPage(context, app.url, { mode: 'header' });
    expect(await fetchFrom(two, '/me')).toEqual({ status: 401, code: 'token_missing' });

    await login(one);
    await expect.poll(() => seenIn(two)).toContainEqual(['logged-in', true]);
    expect(await fetchFrom(two, '/me')).toEqual({ status: 200, code: undefined });
    // A third tab opened later gets the tokens from the others (they are kept in memory only).
    const three = await clientPage(context, app.url, { mode: 'header' });
    expect(await inPage(three, 'return client.loggedIn;')).toBe(true);
    expect(await fetchFrom(three, '/me')).toEqual({ status: 200, code: undefined });
    expect(
      await inPage(three, 'return Object.keys(localStorage).length + Object.keys(sessionStorage).length;'),
    ).toBe(0);

    const token = await inPage<string>(two, 'return client.accessToken();');
    await inPage(two, 'await client.logout();');
    // The session ended at the server, not only in the tabs.
    expect((await call(app.url, 'GET', '/me', { token })).body.code).toBe('token_revoked');
    for (const page of [one, three]) {
      await expect.poll(() => seenIn(page)).toContainEqual(['logged-out', 'logout', true]);
      expect(await inPage(page, 'return client.loggedIn;')).toBe(false);
      expect(await fetchFrom(page, '/me')).toEqual({ status: 401, code: 'token_missing' });
    }
    expect(await seenIn(two)).toContainEqual(['logged-out', 'logout', false]);
  });

  for (const mode of ['header', 'cookie'] as const) {
    it(`${mode} mode: three tabs renewing at once make one refresh request and all use its result`, async () => {
      const context = await newContext();
      const refreshPath = mode === 'cookie' ? '/auth/cookie/refresh' : '/auth/refresh';
      const refreshes = recordRequests(context, refreshPath);
      const pages = [];
      for (let i = 0; i < 3; i++) pages.push(await clientPage(context, app.url, { mode }));
      const [first] = pages as [(typeof pages)[0]];
      await login(first);
      for (const page of pages) await expect.poll(() => inPage(page, 'return client.loggedIn;')).toBe(true);
      const before = await metric(app.url, 'refreshes_total');

      const renewed = await Promise.all(
        pages.map((page) => inPage<boolean>(page, 'return client.refresh();')),
      );
      expect(renewed).toEqual([true, true, true]);
      expect(refreshes).toEqual([mode === 'cookie' ? 204 : 200]);
      expect(await metric(app.url, 'refreshes_total')).toBe(before + 1);
      // One tab renewed; the others were told and say so.
      const told = await Promise.all(
        pages.map(async (page) => (await seenIn(page)).filter((e) => e[0] === 'renewed')),
      );
      expect(told.flat().sort()).toEqual([
        ['renewed', false],
        ['renewed', true],
        ['renewed', true],
      ]);
      for (const page of pages)
        expect(await fetchFrom(page, '/me')).toEqual({ status: 200, code: undefined });
      if (mode === 'header') {
        const tokens = await Promise.all(
          pages.map((page) => inPage<string>(page, 'return client.accessToken();')),
        );
        expect(new Set(tokens).size).toBe(1);
      }
      expect(await metric(app.url, 'refresh_reuse_detected_total')).toBe(0);
    });
  }

  it('renews once on a 401 token_expired and sends the request again (header mode)', async () => {
    const context = await newContext();
    const paused = await clientPage(context, shortLived.url, { mode: 'header' });
    // The page's clock stands still, so its timer never renews ahead: the server's clock runs on.
    await paused.clock.install();
    await paused.clock.pauseAt(Date.now() + 1000);
    const me = recordRequests(context, '/me');
    const refreshes = recordRequests(context, '/auth/refresh');
    await login(paused);
    await paused.waitForTimeout(3500); // the 3 s access token expires at the server
    expect(await fetchFrom(paused, '/me')).toEqual({ status: 200, code: undefined });
    expect(me).toEqual([401, 200]);
    expect(refreshes).toEqual([200]);
    expect(await inPage(paused, 'return client.loggedIn;')).toBe(true);
  });

  it('cookie mode: sends the CSRF header on unsafe requests and renews a lapsed access cookie once', async () => {
    const context = await newContext();
    const page = await clientPage(context, shortLived.url, { mode: 'cookie' });
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
    const sessions = recordRequests(context, '/sessions');
    const refreshes = recordRequests(context, '/auth/cookie/refresh');
    await login(page);
    // Without the client's header the cookie-authenticated POST is refused.
    const bare = await inPage<number>(
      page,
      `return (await fetch('/auth/logout-others', { method: 'POST' })).status;`,
    );
    expect(bare).toBe(403);
    expect(await fetchFrom(page, '/auth/logout-others', { method: 'POST' })).toEqual({
      status: 204,
      code: undefined,
    });
    await page.waitForTimeout(3500); // the browser drops the access cookie (Max-Age 3)
    expect(await fetchFrom(page, '/sessions')).toEqual({ status: 200, code: undefined });
    expect(sessions).toEqual([401, 200]);
    expect(refreshes).toEqual([204]);
  });

  it('cookie mode: a request that left with the CSRF value of cookies renewed meanwhile is sent once more', async () => {
    const context = await newContext();
    const one = await clientPage(context, app.url, { mode: 'cookie' });
    const two = await clientPage(context, app.url, { mode: 'cookie' });
    await login(one);
    await expect.poll(() => inPage(two, 'return client.loggedIn;')).toBe(true);
    const answers = recordRequests(context, '/auth/logout-others');
    // The first attempt is held until the other tab has renewed the cookies (and with them the CSRF
    // value): the browser then sends the new cookies with the header the client had already set.
    let held = false;
    await one.route('**/auth/logout-others', async (route) => {
      if (!held) {
        held = true;
        expect(await inPage(two, 'return client.refresh();')).toBe(true);
      }
      await route.continue();
    });
    expect(await fetchFrom(one, '/auth/logout-others', { method: 'POST' })).toEqual({
      status: 204,
      code: undefined,
    });
    expect(answers).toEqual([403, 204]);
    expect(await inPage(one, 'return client.loggedIn;')).toBe(true);
  });

  it('logs every tab out on any other 401, but not on fresh_token_required', async () => {
    const context = await newContext();
    const one = await clientPage(context, app.url, { mode: 'header' });
    const two = await clientPage(context, app.url, { mode: 'header' });
    await login(one);
    await expect.poll(() => inPage(two, 'return client.loggedIn;')).toBe(true);
    await inPage(one, 'await client.refresh();'); // renewed tokens are no longer fresh
    const changePassword = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"new_password":"x-long-new-password"}',
    };
    expect(await fetchFrom(one, '/account/password', changePassword)).toEqual({
      status: 401,
      code: 'fresh_token_required',
    });
    expect(await inPage(one, 'return client.loggedIn;')).toBe(true);

    // The session is ended from elsewhere (another device logs out everywhere).
    const token = await inPage<string>(one, 'return client.accessToken();');
    expect((await call(app.url, 'POST', '/auth/logout-all', { token })).status).toBe(204);
    expect(await fetchFrom(one, '/me')).toEqual({ status: 401, code: 'token_revoked' });
    expect(await seenIn(one)).toContainEqual(['logged-out', 'token_revoked', false]);
    await expect.poll(() => seenIn(two)).toContainEqual(['logged-out', 'token_revoked', true]);
    expect(await inPage(two, 'return client.loggedIn;')).toBe(false);
  });

  it('login refusals reach the caller with their code, and log nobody in', async () => {
    const context = await newContext();
    const page = await clientPage(context, app.url, { mode: 'cookie' });
    const refusal = await inPage(
      page,
      `try { await client.login({ username: 'alice', password: 'wrong' }); return 'logged in'; }
       catch (error) { return [error.name, error.status, error.code]; }`,
    );
    expect(refusal).toEqual(['AuthClientError', 401, 'invalid_credentials']);
    expect(await inPage(page, 'return client.loggedIn;')).toBe(false);
    expect(await seenIn(page)).toEqual([]);
  });
});

suite(`authjwt/client and a 503 from the app (Chromium, real Redis)${skipNote}`, () => {
  let redis: RedisServer;
  let redisApp: RunningApp;

  beforeAll(async () => {
    browser = await launchChromium();
    redis = await startRedisServer();
    // strict: every request asks Redis, so a frozen Redis is a 503 on the next request.
    redisApp = await startApp({ JWT_SECRET: testSecret, REDIS_URL: redis.url, REVOCATION: 'strict' });
  });

  afterAll(async () => {
    await browser?.close();
    await redisApp?.close();
    await redis?.stop();
  });

  it('waits out the Retry-After of a 503 store_unavailable and sends the request again', async () => {
    const context = await browser.newContext();
    try {
      const page = await clientPage(context, redisApp.url, { mode: 'header', options: { retries: 20 } });
      await login(page);
      const pid = Number(/process_id:(\d+)/.exec(await rawCommand(redis.port, ['INFO', 'server']))?.[1]);
      expect(pid).toBeGreaterThan(0);
      const answers: { status: number; retryAfter: string | null }[] = [];
      page.on('response', (response) => {
        if (response.url().endsWith('/me'))
          answers.push({ status: response.status(), retryAfter: response.headers()['retry-after'] ?? null });
      });
      process.kill(pid, 'SIGSTOP'); // frozen: its connections stay open and silent
      let result: Promise<{ status: number; code: string | undefined }>;
      try {
        const first503 = page.waitForResponse(
          (response) => response.url().endsWith('/me') && response.status() === 503,
        );
        result = fetchFrom(page, '/me');
        await first503;
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      expect(await result).toEqual({ status: 200, code: undefined });
      expect(answers[0]).toEqual({ status: 503, retryAfter: '1' });
      expect(answers.at(-1)).toEqual({ status: 200, retryAfter: null });
      expect(await inPage(page, 'return client.loggedIn;')).toBe(true);
    } finally {
      await context.close();
    }
  });
});
