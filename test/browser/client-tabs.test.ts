import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app/start-app.js';
import { browserSuite, launchChromium } from './chromium.js';
import { fingerprint, metric, testSecret } from './client-harness.js';

/*
 * The acceptance test of issue 15's browser client: three tabs of the demo page in one browser
 * (shared cookies) with a 3-second access token, for two minutes. Every renewal is made by exactly
 * one refresh request, no refresh token is ever presented twice (no reuse detection), the tabs stay
 * logged in and connected throughout, and a logout in one tab logs all three out within a second.
 */
const { suite, skipNote } = browserSuite('test/browser/client-tabs.test.ts');

const accessTtlSeconds = 3;
const runForMs = 120_000;
const refreshCookie = '__Host-refresh';

let browser: Browser;
let app: RunningApp;
let context: BrowserContext;

interface Refresh {
  /** Fingerprints (never the tokens themselves) of the refresh token sent and of the one set in return. */
  sent?: string | undefined;
  set?: string | undefined;
  status?: number | undefined;
}

const cookieValue = (header: string | undefined, name: string) =>
  header
    ?.split(/;\s*/)
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);

async function refreshTokenSet(request: Request): Promise<string | undefined> {
  const response = await request.response();
  const cookies = (await response?.headerValues('set-cookie')) ?? [];
  const value = cookies
    .map((line) => cookieValue(line.split(';')[0], refreshCookie))
    .find((v) => v !== undefined);
  return value === undefined ? undefined : fingerprint(value);
}

/** Records, in the page, when its login form appears and every state of its live-connection indicator. */
const watchPage = `{
  window.watched = { loggedOutAt: undefined, socketStates: [] };
  const loginView = document.getElementById('login-view');
  new MutationObserver(() => {
    if (!loginView.hidden && watched.loggedOutAt === undefined) watched.loggedOutAt = Date.now();
  }).observe(loginView, { attributes: true, attributeFilter: ['hidden'] });
  const indicator = document.getElementById('socket');
  new MutationObserver(() => watched.socketStates.push(indicator.dataset.state))
    .observe(indicator, { attributes: true, attributeFilter: ['data-state'] });
}`;

const watched = (page: Page) =>
  page.evaluate('window.watched') as Promise<{ loggedOutAt: number | undefined; socketStates: string[] }>;

suite(`three tabs of the demo with a 3 s access token for two minutes (Chromium)${skipNote}`, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    app = await startApp({ JWT_SECRET: testSecret, ACCESS_TTL: String(accessTtlSeconds) });
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  it('makes one refresh request per renewal, never reuses a refresh token, and logs every tab out at once', {
    timeout: runForMs + 90_000,
  }, async () => {
    const refreshes: Refresh[] = [];
    const pending: Promise<void>[] = [];
    const refused: string[] = [];
    let firstRefreshToken: string | undefined;
    context.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/auth/cookie/login') {
        pending.push(
          refreshTokenSet(request).then((value) => {
            firstRefreshToken = value;
          }),
        );
      }
      if (path !== '/auth/cookie/refresh') return;
      const entry: Refresh = {}; // in the order the requests were made
      refreshes.push(entry);
      pending.push(
        (async () => {
          const sent = cookieValue((await request.allHeaders()).cookie, refreshCookie);
          entry.sent = sent === undefined ? undefined : fingerprint(sent);
          entry.set = await refreshTokenSet(request);
          entry.status = (await request.response())?.status();
        })(),
      );
    });
    context.on('response', (response) => {
      if (response.status() === 401) refused.push(new URL(response.url()).pathname);
    });

    const tabs: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage();
      page.on('pageerror', (error) => refused.push(`page error: ${error.message}`));
      await page.goto(app.url);
      await page.locator('#login-view').waitFor();
      tabs.push(page);
    }
    const [first, second, third] = tabs as [Page, Page, Page];
    await first.getByLabel('Username').fill('alice');
    await first.getByLabel('Password').fill('alice-pass');
    await first.getByRole('button', { name: 'Log in' }).click();
    // The other tabs follow the login (their client heard it) and open their own live connections.
    for (const page of tabs) {
      await page.locator('#socket[data-state="on"]').waitFor({ timeout: 10_000 });
      await page.evaluate(watchPage);
    }

    await first.waitForTimeout(runForMs);

    for (const page of tabs) {
      const { loggedOutAt, socketStates } = await watched(page);
      expect(loggedOutAt).toBeUndefined();
      // The server closes a connection when its access token expires: never off means every tab
      // had renewed credentials before the old ones lapsed, for the whole two minutes.
      expect(socketStates).not.toContain('off');
      expect(socketStates.length).toBeGreaterThan(0);
    }
    expect(refused).toEqual([]); // no 401 at all, so no token was ever used past its expiry

    // Logout in the middle tab: all three show the logged-out state within a second.
    await second.evaluate(
      `document.getElementById('logout').addEventListener('click', () => { window.clickedAt = Date.now(); }, { capture: true })`,
    );
    await second.getByRole('button', { name: 'Log out', exact: true }).click();
    for (const page of tabs) await page.locator('#login-view').waitFor({ state: 'visible', timeout: 5000 });
    const clickedAt = (await second.evaluate('window.clickedAt')) as number;
    const delays = await Promise.all(
      tabs.map(async (page) => ((await watched(page)).loggedOutAt ?? Infinity) - clickedAt),
    );
    console.info(`tabs logged out ${delays.join(', ')} ms after the click on Log out`);
    for (const delay of delays) expect(delay).toBeLessThan(1000);
    expect(await second.locator('#status').textContent()).toMatch(/logged out on this device/);
    for (const page of [first, third]) {
      expect(await page.locator('#status').textContent()).toMatch(/in another tab of this browser/);
    }

    await Promise.all(pending);
    console.info(`${refreshes.length} renewals in ${runForMs / 1000} s with three tabs`);
    // Renewals happened throughout: at least one per access-token lifetime.
    expect(refreshes.length).toBeGreaterThanOrEqual(runForMs / 1000 / accessTtlSeconds);
    expect(refreshes.every((refresh) => refresh.status === 204)).toBe(true);
    // One request per renewal: each sends the refresh token the previous one (or the login) set, so
    // no renewal was made twice, and no refresh token was presented twice.
    const chain = [firstRefreshToken, ...refreshes.map((refresh) => refresh.set)];
    expect(refreshes.map((refresh) => refresh.sent)).toEqual(chain.slice(0, -1));
    expect(new Set(chain).size).toBe(chain.length);
    expect(chain.every((value) => value !== undefined)).toBe(true);
    // The server agrees: as many rotations as requests, no reuse detected, the session ended by the logout.
    expect(await metric(app.url, 'refreshes_total')).toBe(refreshes.length);
    expect(await metric(app.url, 'refresh_reuse_detected_total')).toBe(0);
  });
});
