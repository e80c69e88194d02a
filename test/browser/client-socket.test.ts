import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import type { AppServer } from '../../app/server.js';
import { buildAppServer } from '../../app/start.js';
import { call } from '../app/start-app.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { browserSuite, launchChromium } from './chromium.js';
import { clientPage, inPage, seenIn, testSecret } from './client-harness.js';

// The WebSocket helper of authjwt/client in Chromium, against the real app on a real Redis (so that
// sessions outlive a restart of the app, which closes every socket from the server side).
const { suite, skipNote } = browserSuite('test/browser/client-socket.test.ts');

let browser: Browser;
let redis: RedisServer;
const contexts: BrowserContext[] = [];
const apps: AppServer[] = [];

/** The app on a fixed port, so a restarted one is where the sockets reconnect to. */
async function startAppOn(port: number, env: Record<string, string> = {}) {
  const framework = process.env.APP_FRAMEWORK; // as test/app/start-app.ts: the run's framework
  const app = await buildAppServer(
    loadConfig({
      ...(framework !== undefined && { APP_FRAMEWORK: framework }),
      LOG_LEVEL: 'silent',
      JWT_SECRET: testSecret,
      REDIS_URL: redis.url,
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
    }),
  );
  await app.listen('127.0.0.1', port);
  apps.push(app);
  return app;
}

async function pageWithSocket(
  url: string,
  mode: 'cookie' | 'header',
  username: string,
  { pauseClock = false } = {},
): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await clientPage(context, url, { mode });
  if (pauseClock) {
    // The page's clock stands still, so no timer renews ahead: the server's clock runs on.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
  }
  await inPage(page, `await client.login({ username: '${username}', password: '${username}-pass' });`);
  // Every state change, every message and why the helper stopped, recorded in the page. Retries stay
  // a second apart at most, so the first after a slow restart comes within a second, not up to 30.
  await inPage(
    page,
    `window.states = []; window.messages = []; window.stopped = [];
     window.socket = client.socket('/ws', {
       onStateChange: (state) => states.push(state),
       onMessage: (data) => messages.push(JSON.parse(data)),
       onStop: (reason) => stopped.push(reason),
       initialDelay: 200,
       maxDelay: 1000,
     });`,
  );
  await expect.poll(() => hellos(page)).toBe(1);
  return page;
}

/**
 * Time for a test that restarts the app: the restart and the page's retries share one loaded CI
 * machine (where a restart has taken seconds), and each poll inside has its own limit well below this,
 * so a failure names the step that did not happen rather than the test's clock.
 */
const restartTimeout = 45_000;

const hellos = async (page: Page) =>
  ((await page.evaluate('window.messages')) as { type: string }[]).filter((m) => m.type === 'hello').length;
const states = (page: Page) => page.evaluate('window.states') as Promise<string[]>;
const stopped = (page: Page) => page.evaluate('window.stopped') as Promise<string[]>;

suite(`authjwt/client's WebSocket helper in a real browser (Chromium, real Redis)${skipNote}`, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    redis = await startRedisServer();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await redis?.stop();
  });

  for (const mode of ['header', 'cookie'] as const) {
    it(
      `${mode} mode: authenticates, and reconnects with the same session after the server closed the socket`,
      async () => {
        const port = await freePort();
        const first = await startAppOn(port);
        const page = await pageWithSocket(`http://127.0.0.1:${port}`, mode, 'alice');
        expect(await states(page)).toEqual(['connecting', 'open']);
        expect(await inPage(page, `return socket.send('ping');`)).toBe(true);
        await expect
          .poll(() => page.evaluate('window.messages'))
          .toContainEqual({ type: 'echo', data: 'ping' });

        await first.close(); // every socket is closed by the server going away
        apps.splice(apps.indexOf(first), 1);
        await expect.poll(() => states(page)).toEqual(['connecting', 'open', 'connecting']);
        await startAppOn(port);
        await expect.poll(() => hellos(page), { timeout: 15_000 }).toBe(2);
        expect(await states(page)).toEqual(['connecting', 'open', 'connecting', 'open']);
        expect(await stopped(page)).toEqual([]);
        expect(await seenIn(page)).not.toContainEqual(expect.arrayContaining(['logged-out']));
      },
      restartTimeout,
    );
  }

  it('stops on 4401 when the session has ended: one renewal is tried, refused, and every tab is logged out', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startAppOn(port);
    const page = await pageWithSocket(url, 'header', 'bob');
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    const token = await inPage<string>(page, 'return client.accessToken();');
    expect((await call(url, 'POST', '/auth/logout-all', { token })).status).toBe(204);

    await expect.poll(() => stopped(page)).toEqual(['logged-out']);
    expect(await states(page)).toEqual(['connecting', 'open', 'connecting', 'closed']);
    expect(await seenIn(page)).toContainEqual(['logged-out', 'token_revoked', false]);
    expect(await inPage(page, 'return socket.state;')).toBe('closed');
    await page.waitForTimeout(1000); // longer than the helper's first back-off (200 ms)
    expect(sockets).toEqual([]); // no new connection was tried
  });

  it('on a 4401 for an expired token: renews once and reconnects at once', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startAppOn(port, { ACCESS_TTL: '3' });
    // No timer renews ahead in the page: the server closes the socket when the token expires.
    const page = await pageWithSocket(url, 'header', 'alice', { pauseClock: true });
    await expect.poll(() => hellos(page), { timeout: 10_000 }).toBe(2);
    expect(await seenIn(page)).toContainEqual(['renewed', false]);
    expect(await stopped(page)).toEqual([]);
    expect(await states(page)).toEqual(['connecting', 'open', 'connecting', 'open']);
  });

  it('moves onto renewed credentials before the old connection lapses: it stays open throughout', async () => {
    const port = await freePort();
    await startAppOn(port, { ACCESS_TTL: '3' });
    const page = await pageWithSocket(`http://127.0.0.1:${port}`, 'header', 'alice');
    await expect.poll(() => hellos(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    // Three renewals, each a new connection greeted before the old one was closed.
    expect(await states(page)).toEqual(['connecting', 'open']);
    expect((await seenIn(page)).filter((event) => event[0] === 'renewed').length).toBeGreaterThanOrEqual(3);
  });
});
