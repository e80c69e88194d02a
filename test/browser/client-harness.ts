/**
 * What the browser tests of authjwt/client share: Chromium (as chromium.ts plans it), pages that load
 * the client the reference app serves (/client.js, bundled from src/client), and a few probes of the
 * app. Page-side code is written as strings: the project compiles without the DOM library.
 */
import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';

export const testSecret = 'browser-client-test-secret-0123456789abcdef';

export interface ClientPageOptions {
  mode: 'cookie' | 'header';
  /** Extra createAuthClient options. */
  options?: Record<string, unknown>;
}

/**
 * A page of the app's origin (its /healthz document, which has no script of its own) with the client
 * loaded as `window.client`, and everything it signals recorded in `window.seen`.
 */
export async function clientPage(
  context: BrowserContext,
  appUrl: string,
  setup: ClientPageOptions,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${appUrl}/healthz`);
  await page.evaluate(`(async () => {
    const { createAuthClient } = await import('/client.js');
    window.client = createAuthClient(${JSON.stringify({ mode: setup.mode, ...setup.options })});
    window.seen = [];
    client.on('logged-out', (e) => seen.push(['logged-out', e.reason, e.elsewhere]));
    client.on('logged-in', (e) => seen.push(['logged-in', e.elsewhere]));
    client.on('renewed', (e) => seen.push(['renewed', e.elsewhere]));
    await client.ready;
  })()`);
  return page;
}

/** Runs `body` (an async function body, as a string) in the page and returns its result. */
export function inPage<T>(page: Page, body: string): Promise<T> {
  return page.evaluate(`(async () => { ${body} })()`) as Promise<T>;
}

/** `client.fetch` from the page: the status and the refusal's code. */
export function fetchFrom(page: Page, path: string, init: Record<string, unknown> = {}) {
  return inPage<{ status: number; code: string | undefined }>(
    page,
    `const response = await client.fetch(${JSON.stringify(path)}, ${JSON.stringify(init)});
     const body = await response.json().catch(() => ({}));
     return { status: response.status, code: body.code };`,
  );
}

export const seenIn = (page: Page) => page.evaluate('window.seen') as Promise<unknown[][]>;

/** Requests of a browser context to one path, with their answers' status, in order. */
export function recordRequests(context: BrowserContext, path: string) {
  const statuses: number[] = [];
  context.on('response', (response) => {
    if (new URL(response.url()).pathname === path) statuses.push(response.status());
  });
  return statuses;
}

/** A counter or gauge from the app's /metrics (Prometheus text), summed over its labels. */
export async function metric(appUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === `authjwt_${name}`) sum += Number(match[2]);
  }
  return sum;
}

/** A short, one-way name for a secret, so that assertions can compare tokens without printing them. */
export const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 12);
