import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app/start-app.js';
import { browserSuite, launchChromium } from './chromium.js';

// Debian's chromium (`.ci/run` apt-installs it) or the one AUTHJWT_CHROMIUM names, never a downloaded
// browser. None: CI fails here, at import; elsewhere the suite is skipped and its name says why.
const { suite, skipNote } = browserSuite('test/browser/demo.test.ts');
// The README's screenshot is rewritten only on request (SAVE_SCREENSHOT=1 npx vitest run test/browser),
// so a test run elsewhere (another Chromium, other fonts) never leaves a modified file in the tree.
const screenshotPath = fileURLToPath(
  process.env.SAVE_SCREENSHOT === '1'
    ? new URL('../../docs/demo-page.png', import.meta.url)
    : new URL(`file://${tmpdir()}/authjwt-demo-page.png`),
);
// The second "device": the same headless chromium, announcing itself as a phone so the sessions
// list (and the screenshot) shows two different devices.
const phone =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36';
// How long a page may take to notice that its session was ended elsewhere: the server closes the
// socket within a second, then the page asks /me once.
const reactWithinMs = 5000;

let running: RunningApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

async function openPage({ userAgent, url = running.url }: { userAgent?: string; url?: string } = {}) {
  const context = await browser.newContext({
    viewport: { width: 960, height: 540 },
    ...(userAgent !== undefined && { userAgent }),
  });
  contexts.push(context);
  const page = await context.newPage();
  // A strict CSP is only worth having if the page works under it: any violation (the WebSocket
  // included) or uncaught error fails the test.
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(url);
  return page;
}

async function logIn(page: Page, username: string, password = `${username}-pass`) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#who').getByText(username, { exact: true }).waitFor();
  await socketIs(page, 'on');
}

const socketIs = (page: Page, state: 'on' | 'off') =>
  page.locator(`#socket[data-state="${state}"]`).waitFor({ timeout: reactWithinMs });

const sessionRows = (page: Page, count: number) =>
  expect.poll(() => page.locator('#sessions tbody tr').count(), { timeout: reactWithinMs }).toBe(count);

/** The logged-out state: the login form is back, the account is gone and the page says why. */
async function loggedOut(page: Page, why: RegExp) {
  await page.locator('#login-view').waitFor({ state: 'visible', timeout: reactWithinMs });
  await page.locator('#status').getByText(why).waitFor({ timeout: reactWithinMs });
  expect(await page.locator('#account-view').isHidden()).toBe(true);
  expect(await page.locator('#socket').getAttribute('data-state')).toBe('off');
  expect(await page.locator('#socket-text').textContent()).toBe('Live connection: off');
}

/** An API call from inside the page, with whatever cookies it still has and its CSRF header. */
function callFrom(page: Page, method: string, path: string) {
  return page.evaluate(
    async ([method, path]) => {
      // The project compiles without lib.dom; the cast is erased before this runs in the page.
      const { cookie } = (globalThis as unknown as { document: { cookie: string } }).document;
      const csrf = /(?:^|;\s*)__Host-csrf=([^;]*)/.exec(cookie)?.[1];
      const response = await fetch(path as string, {
        method: method as string,
        headers: csrf === undefined ? {} : { 'x-csrf-token': csrf },
      });
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      return { status: response.status, code: body.code };
    },
    [method, path],
  );
}

suite(`the demo page in a real browser (Chromium, playwright-core)${skipNote}`, () => {
  beforeAll(async () => {
    running = await startApp({ JWT_SECRET: 'browser-demo-test-secret-0123456789abcdef' });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('logs in, lists the sessions, and reacts when another device ends this session', async () => {
    const a = await openPage();
    expect(await a.locator('#login-view').isVisible()).toBe(true);
    await logIn(a, 'alice');
    expect(await a.locator('#roles').textContent()).toBe('roles: user');
    expect(await a.locator('#socket-text').textContent()).toBe('Live connection: on (as alice)');
    await sessionRows(a, 1);
    const current = a.locator('#sessions tbody tr[data-current]');
    expect(await current.getByText('This device').isVisible()).toBe(true);
    expect(await current.locator('td').nth(1).textContent()).toBe('127.0.0.1');
    const sessionA = (await current.getAttribute('data-session-id')) as string;
    expect(sessionA).toMatch(/^[\w-]+$/);

    // A second browser (its own cookies): a second session of alice's.
    const b = await openPage({ userAgent: phone });
    await logIn(b, 'alice');
    await sessionRows(b, 2);
    expect(await b.locator('#sessions tbody tr[data-current] strong').textContent()).toBe(
      'Chrome 156 on Android',
    );

    await a.reload();
    await socketIs(a, 'on');
    await sessionRows(a, 2);
    const rowOfB = a.locator('#sessions tbody tr:not([data-current])');
    expect(await rowOfB.locator('strong').textContent()).toBe('Chrome 156 on Android');
    expect(
      await rowOfB.getByRole('button', { name: 'End the session on Chrome 156 on Android' }).count(),
    ).toBe(1);
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await a.screenshot({ path: screenshotPath, fullPage: true });

    // B ends A's session from its list; A's socket is closed and its page shows it is logged out.
    const started = Date.now();
    await b.locator(`#sessions tbody tr[data-session-id="${sessionA}"]`).getByRole('button').click();
    await sessionRows(b, 1);
    await b.locator('#status').getByText('That session has been ended').waitFor();
    await socketIs(a, 'off');
    await loggedOut(a, /this session was ended/);
    const reactedMs = Date.now() - started;
    console.info(`page A showed the logged-out state ${reactedMs} ms after B ended its session`);
    expect(reactedMs).toBeLessThan(reactWithinMs);

    // A's cookies are still in its browser, but its session is over: the API refuses them.
    expect(await callFrom(a, 'GET', '/me')).toEqual({ status: 401, code: 'token_revoked' });
    expect(await callFrom(a, 'GET', '/sessions')).toEqual({ status: 401, code: 'token_revoked' });
    expect(await callFrom(a, 'POST', '/auth/cookie/refresh')).toEqual({
      status: 401,
      code: 'token_revoked',
    });
    // B is untouched.
    expect(await callFrom(b, 'GET', '/me')).toEqual({ status: 200, code: undefined });
    expect(await b.locator('#socket').getAttribute('data-state')).toBe('on');
  });

  it('logs out everywhere: both browsers show the logged-out state and their cookies are refused', async () => {
    const c = await openPage();
    // A wrong password is shown in the page, not just in the console.
    await c.getByLabel('Username').fill('bob');
    await c.getByLabel('Password').fill('wrong');
    await c.getByRole('button', { name: 'Log in' }).click();
    await c.getByRole('alert').getByText('invalid_credentials').waitFor();
    await logIn(c, 'bob');
    expect(await c.getByRole('alert').isHidden()).toBe(true);

    const d = await openPage({ userAgent: phone });
    await logIn(d, 'bob');
    await sessionRows(d, 2);

    const started = Date.now();
    await c.getByRole('button', { name: 'Log out everywhere' }).click();
    await loggedOut(c, /logged out everywhere/);
    await loggedOut(d, /this session was ended/);
    const reactedMs = Date.now() - started;
    console.info(`the other browser showed the logged-out state ${reactedMs} ms after log out everywhere`);
    expect(reactedMs).toBeLessThan(reactWithinMs);

    for (const page of [c, d]) {
      expect(await callFrom(page, 'GET', '/me')).toEqual({ status: 401, code: 'token_revoked' });
    }
  });

  it('logs out other devices: the other browser shows the logged-out state, this one stays', async () => {
    const g = await openPage();
    await logIn(g, 'bob');
    const h = await openPage({ userAgent: phone });
    await logIn(h, 'bob');
    await sessionRows(h, 2);

    await h.getByRole('button', { name: 'Log out other devices' }).click();
    await loggedOut(g, /this session was ended/);
    await sessionRows(h, 1);
    await h.locator('#status').getByText('Every other session of this account has ended').waitFor();
    expect(await callFrom(g, 'GET', '/me')).toEqual({ status: 401, code: 'token_revoked' });
    expect(await callFrom(h, 'GET', '/me')).toEqual({ status: 200, code: undefined });
    expect(await h.locator('#socket').getAttribute('data-state')).toBe('on');
  });

  it('renews the access cookie in the background, keeping the live connection up past its expiry', async () => {
    // A 4 s access token: the page renews at two thirds of it (whole-second `iat` can cut up to
    // a second off the first one), and the socket opened with the old token is replaced in time.
    const shortLived = await startApp({
      JWT_SECRET: 'browser-demo-test-secret-0123456789abcdef',
      ACCESS_TTL: '4',
    });
    try {
      const page = await openPage({ url: shortLived.url });
      const refreshes: number[] = [];
      page.on('response', (response) => {
        if (response.url().endsWith('/auth/cookie/refresh')) refreshes.push(response.status());
      });
      await logIn(page, 'alice');
      // Record every change of the indicator, however brief (a string: no lib.dom in this project).
      await page.evaluate(`{
          const indicator = document.getElementById('socket');
          window.socketStates = [];
          new MutationObserver(() => window.socketStates.push(indicator.dataset.state))
            .observe(indicator, { attributes: true, attributeFilter: ['data-state'] });
        }`);
      await page.waitForTimeout(6000);
      const states = (await page.evaluate('window.socketStates')) as string[];
      expect(states).not.toContain('off');
      expect(states).toContain('on'); // a new socket, opened after a renewal, said hello
      expect(refreshes.length).toBeGreaterThanOrEqual(2);
      expect(refreshes.every((status) => status === 204)).toBe(true);
      expect(await callFrom(page, 'GET', '/me')).toEqual({ status: 200, code: undefined });
      expect(await page.getByRole('alert').isHidden()).toBe(true);
      await page.getByRole('button', { name: 'Reload list' }).click();
      await sessionRows(page, 1); // renewing rotates the tokens, it does not make new sessions
    } finally {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
      await shortLived.close();
    }
  });

  it('logs out on this device only: its cookies are cleared, the other session lives on', async () => {
    const e = await openPage();
    // By keyboard this time: focus follows the form out of sight, and back.
    await e.getByLabel('Username').fill('admin');
    await e.getByLabel('Password').fill('admin-pass');
    await e.getByLabel('Password').press('Enter');
    await socketIs(e, 'on');
    expect(await e.locator('#account-title:focus').textContent()).toBe('Logged in as admin');
    expect(await e.locator('#roles').textContent()).toBe('roles: admin, user');
    const f = await openPage({ userAgent: phone });
    await logIn(f, 'admin');

    await e.getByRole('button', { name: 'Log out', exact: true }).click();
    await loggedOut(e, /logged out on this device/);
    expect(await e.locator('#username:focus').count()).toBe(1);
    expect(await callFrom(e, 'GET', '/me')).toEqual({ status: 401, code: 'token_missing' });
    expect((await e.context().cookies()).map((cookie) => cookie.name)).toEqual([]);

    await f.getByRole('button', { name: 'Reload list' }).click();
    await sessionRows(f, 1);
    expect(await f.locator('#socket').getAttribute('data-state')).toBe('on');
  });
});
