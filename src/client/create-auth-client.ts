import { browser } from './browser.js';
import { AuthClientError, errorFrom, refusalOf } from './errors.js';
import { createEmitter } from './events.js';
import { type Deadlines, deadlinesFor } from './expiry.js';
import { openLedger } from './ledger.js';
import { type CredentialMode, cookieMode, headerMode, type Renewal } from './modes.js';
import { retryAfterMs } from './retry-after.js';
import { openAuthSocket } from './socket.js';
import { joinTabs, type TabMessage } from './tabs.js';
import type { AuthClient, AuthClientOptions } from './types.js';

/** Codes of a 401 that refuse one request without ending the session. */
const sessionSurvives = new Set(['fresh_token_required', 'invalid_credentials']);
/** How long a tab waits for the tokens of a renewal another tab made (header mode). */
const catchUpMs = 3000;
/** How long a new tab waits for the tokens of the tabs already open (header mode). */
const startUpWaitMs = 500;
/** After a renewal failed for want of a network or a server, try again this much later. */
const retryRenewalMs = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Creates the browser client. Call once per page and share it. */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  if (options.mode !== 'cookie' && options.mode !== 'header') {
    throw new TypeError('createAuthClient: mode must be "cookie" or "header"');
  }
  const cookie = options.mode === 'cookie';
  const base = options.baseUrl ?? browser.location?.href;
  const url = (path: string) => new URL(path, base).href;
  const paths = {
    login: options.paths?.login ?? (cookie ? '/auth/cookie/login' : '/auth/login'),
    refresh: options.paths?.refresh ?? (cookie ? '/auth/cookie/refresh' : '/auth/refresh'),
    logout: options.paths?.logout ?? (cookie ? '/auth/cookie/logout' : '/auth/logout'),
  };
  const name = options.name ?? 'authjwt';
  const retries = options.retries ?? 3;
  const maxRetryAfterMs = (options.maxRetryAfter ?? 30) * 1000;
  const mode: CredentialMode = cookie
    ? cookieMode({
        csrfCookie: options.csrfCookie ?? '__Host-csrf',
        csrfHeader: options.csrfHeader ?? 'x-csrf-token',
        expiresInHeader: options.expiresInHeader ?? 'access-token-expires-in',
      })
    : headerMode();
  const events = createEmitter();
  const ledger = openLedger(`${name}:ledger`);

  // This tab's view. `generation` numbers the renewals of all tabs; it only ever grows.
  let generation = 0;
  let loggedIn = mode.holdsCredentials();
  let deadlines: Deadlines = { renewAt: null, expiresAt: null };
  let renewalTimer: ReturnType<typeof setTimeout> | undefined;
  let inflight: Promise<boolean> | undefined;
  let closed = false;
  const caughtUp = new Set<() => void>();

  const tabs = joinTabs(name, onTabMessage);

  function schedule(): void {
    clearTimeout(renewalTimer);
    if (closed || !loggedIn || deadlines.renewAt === null) return;
    renewalTimer = setTimeout(
      () => {
        // No network, no server, or no word from the tab that renewed: try again soon (an expired
        // token is also renewed on its 401).
        const retryLater = () => {
          if (loggedIn) renewalTimer = setTimeout(schedule, retryRenewalMs);
        };
        refreshFrom(generation).then((renewed) => renewed || retryLater(), retryLater);
      },
      Math.max(0, deadlines.renewAt - Date.now()),
    );
  }

  /** Takes on the credentials of a login or renewal (this tab's or another's). */
  function adopt(next: number, renewed: Deadlines, tokens: Renewal['tokens']): void {
    generation = next;
    deadlines = renewed;
    mode.adopt(tokens);
    loggedIn = true;
    schedule();
    for (const resolve of caughtUp) resolve();
  }

  function endHere(reason: string, elsewhere: boolean): void {
    if (!loggedIn) return;
    loggedIn = false;
    mode.forget();
    deadlines = { renewAt: null, expiresAt: null };
    clearTimeout(renewalTimer);
    events.emit('logged-out', { reason, elsewhere });
  }

  /** Logs every tab out: at once by broadcast, then in the ledger, so no queued renewal runs. */
  function endEverywhere(reason: string): void {
    if (!loggedIn) return;
    tabs.post({ type: 'logged-out', generation, reason });
    endHere(reason, false);
    void tabs
      .exclusive(async () => {
        const record = await ledger.read();
        generation = Math.max(record?.generation ?? 0, generation) + 1;
        await ledger.write({ generation, loggedIn: false, renewAt: null, expiresAt: null });
      })
      .catch(() => undefined);
  }

  function onTabMessage(message: TabMessage): void {
    if (closed) return;
    if (message.type === 'session') {
      if (message.generation <= generation) return; // old news, or a session this tab has seen end
      if (!cookie && message.tokens === undefined) return;
      const wasLoggedIn = loggedIn;
      adopt(message.generation, message, message.tokens);
      events.emit(wasLoggedIn ? 'renewed' : 'logged-in', { elsewhere: true });
    } else if (message.type === 'logged-out') {
      if (message.generation < generation) return; // about a session this tab has since left
      endHere(message.reason, true);
    } else if (message.type === 'sync-request' && !cookie && loggedIn) {
      tabs.post({ type: 'session', generation, ...deadlines, ...tokensOf() });
    }
  }

  const tokensOf = () => {
    const tokens = mode.tokens();
    return tokens === undefined ? {} : { tokens };
  };

  /** Waits up to `ms` for credentials from another tab (header mode: they come by broadcast). */
  async function nextCredentials(ms: number): Promise<void> {
    let resolveWait = () => {};
    const arrived = new Promise<void>((resolve) => {
      resolveWait = resolve;
    });
    caughtUp.add(resolveWait);
    await Promise.race([arrived, sleep(ms)]);
    caughtUp.delete(resolveWait);
  }

  function askOtherTabs(ms: number): Promise<void> {
    tabs.post({ type: 'sync-request' });
    return nextCredentials(ms);
  }

  /** Waits until this tab has the credentials of `target`: the broadcast is on its way, else ask. */
  async function catchUp(target: number): Promise<void> {
    if (generation < target) await nextCredentials(catchUpMs);
    if (generation < target) await askOtherTabs(catchUpMs);
  }

  /** `fetch` that waits out a 503's `Retry-After` and tries again, a bounded number of times. */
  async function send(request: () => Request): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(request());
      if (response.status !== 503 || attempt >= retries) return response;
      const waitMs = retryAfterMs(response.headers.get('retry-after'), maxRetryAfterMs);
      if (waitMs === undefined) return response;
      await response.body?.cancel().catch(() => undefined);
      await sleep(waitMs);
    }
  }

  /** A renewal for every tab, unless one newer than `seen` already happened (then that one is used). */
  function refreshFrom(seen: number): Promise<boolean> {
    inflight ??= tabs
      .exclusive(() => renewUnderLock(seen))
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  async function renewUnderLock(seen: number): Promise<boolean> {
    const record = await ledger.read();
    const latest = Math.max(record?.generation ?? 0, generation);
    if (latest > seen) {
      // Another tab renewed (or logged out) while this one waited: use its result.
      if (record?.generation === latest && !record.loggedIn) {
        endHere('logged_out', true);
        return false;
      }
      if (generation < latest && record?.generation === latest) {
        if (cookie) {
          adopt(latest, record, undefined);
          events.emit('renewed', { elsewhere: true });
        } else await catchUp(latest);
      }
      return loggedIn && generation >= latest;
    }
    if (!loggedIn || !mode.holdsCredentials()) return false;
    const response = await send(() => new Request(url(paths.refresh), mode.refreshRequest()));
    const next = latest + 1;
    if (response.ok) {
      const renewal = await mode.renewalFrom(response);
      const renewed = deadlinesFor(renewal.expiresIn, Date.now());
      adopt(next, renewed, renewal.tokens);
      // Committed before the lock is let go: the next tab to hold it reads this and renews no more.
      await ledger.write({ generation: next, loggedIn: true, ...renewed });
      tabs.post({ type: 'session', generation: next, ...renewed, ...tokensOf() });
      events.emit('renewed', { elsewhere: false });
      return true;
    }
    if (response.status === 401) {
      const { code } = await refusalOf(response);
      if (loggedIn) tabs.post({ type: 'logged-out', generation, reason: code });
      endHere(code, false);
      generation = next;
      await ledger.write({ generation: next, loggedIn: false, renewAt: null, expiresAt: null });
      return false;
    }
    throw await errorFrom(response);
  }

  const ready = (async () => {
    const record = await ledger.read().catch(() => undefined);
    if (cookie) {
      // A broadcast may have been taken on while the ledger was being read: the newer one counts.
      if (record !== undefined && record.generation > generation) {
        generation = record.generation;
        if (loggedIn && record.loggedIn) deadlines = { renewAt: record.renewAt, expiresAt: record.expiresAt };
      }
      schedule();
    } else if (record?.loggedIn === true) {
      // Header mode: the tokens are in the memory of the other tabs, if any is still open.
      await askOtherTabs(startUpWaitMs);
    }
  })();

  async function authFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    await ready;
    // A path is taken relative to `baseUrl` (the page's address by default), as the client's own routes are.
    const original = new Request(input instanceof Request ? input : url(String(input)), init);
    // A background tab's timers may run late: renew first rather than send a token about to lapse.
    if (loggedIn && deadlines.renewAt !== null && Date.now() >= deadlines.renewAt) {
      await refreshFrom(generation).catch(() => false);
    }
    let retried = false;
    for (;;) {
      const seen = generation;
      const fingerprint = mode.fingerprint();
      const response = await send(() => {
        const copy = original.clone();
        const headers = new Headers(copy.headers);
        mode.authorize(headers, copy.method);
        return new Request(copy, { headers });
      });
      if (response.status === 401 && loggedIn) {
        const { code } = await refusalOf(response);
        if (!retried && mode.lapsed(code)) {
          retried = true;
          if (await refreshFrom(seen).catch(() => false)) {
            await response.body?.cancel().catch(() => undefined);
            continue;
          }
          return response;
        }
        if (!sessionSurvives.has(code)) endEverywhere(code);
        return response;
      }
      // Cookie mode: another tab renewed the cookies (and the CSRF value) while this request was on
      // its way with the old CSRF header. Once more with the current one.
      if (response.status === 403 && cookie && !retried && fingerprint !== mode.fingerprint()) {
        if ((await refusalOf(response)).code === 'csrf_failed') {
          retried = true;
          await response.body?.cancel().catch(() => undefined);
          continue;
        }
      }
      return response;
    }
  }

  const client: AuthClient = {
    mode: options.mode,
    ready,
    get loggedIn() {
      return loggedIn;
    },
    fetch: authFetch,
    async login(credentials) {
      await ready;
      let response: Response;
      try {
        response = await send(() => new Request(url(paths.login), mode.loginRequest(credentials)));
      } catch {
        throw new AuthClientError(0, 'network', 'The server cannot be reached.');
      }
      if (!response.ok) throw await errorFrom(response);
      const renewal = await mode.renewalFrom(response);
      const renewed = deadlinesFor(renewal.expiresIn, Date.now());
      await tabs.exclusive(async () => {
        const record = await ledger.read();
        const next = Math.max(record?.generation ?? 0, generation) + 1;
        adopt(next, renewed, renewal.tokens);
        await ledger.write({ generation: next, loggedIn: true, ...renewed });
        tabs.post({ type: 'session', generation: next, ...renewed, ...tokensOf() });
      });
      events.emit('logged-in', { elsewhere: false });
    },
    async logout() {
      try {
        // Through authFetch, so an access token that just lapsed is renewed and the session really ends.
        if (loggedIn) await authFetch(url(paths.logout), { method: 'POST' });
      } finally {
        endEverywhere('logout');
      }
    },
    markLoggedOut: endEverywhere,
    async refresh() {
      await ready;
      return refreshFrom(generation);
    },
    async accessToken() {
      await ready;
      if (loggedIn && deadlines.renewAt !== null && Date.now() >= deadlines.renewAt) {
        await refreshFrom(generation).catch(() => false);
      }
      return mode.tokens()?.accessToken;
    },
    socket(path, socketOptions = {}) {
      return openAuthSocket(client, url(path), socketOptions);
    },
    on: events.on,
    close() {
      closed = true;
      clearTimeout(renewalTimer);
      tabs.close();
    },
  };
  return client;
}
