import { browser } from './browser.js';
import { AuthClientError, errorFrom, refusalOf } from './errors.js';
import { type AuthClientEvents, createEmitter, type Listener } from './events.js';
import { type Deadlines, deadlinesFor } from './expiry.js';
import { openLedger } from './ledger.js';
import { type CredentialMode, cookieMode, headerMode, type Renewal } from './modes.js';
import { retryAfterMs } from './retry-after.js';
import { type AuthSocket, type AuthSocketOptions, openAuthSocket } from './socket.js';
import { joinTabs, type TabMessage } from './tabs.js';

export interface AuthClientOptions {
  /**
   * `cookie`: the tokens live in the server's HttpOnly cookies; the client sends the CSRF header.
   * `header`: the client holds the tokens (in memory) and sends `Authorization: Bearer`.
   */
  mode: 'cookie' | 'header';
  /** Where the API is. Default: this page's origin. */
  baseUrl?: string;
  /** The routes; defaults are the reference app's (`/auth/cookie/...` in cookie mode, `/auth/...` in header mode). */
  paths?: { login?: string; refresh?: string; logout?: string };
  /** Default `__Host-csrf`. */
  csrfCookie?: string;
  /** Default `x-csrf-token`. */
  csrfHeader?: string;
  /** The header in which the cookie routes say how long the access token lives. Default `access-token-expires-in`. */
  expiresInHeader?: string;
  /** Names the lock, the BroadcastChannel and the IndexedDB ledger the tabs share. Default `authjwt`. */
  name?: string;
  /** How often a 503 with `Retry-After` is retried before it is handed back. Default 3. */
  retries?: number;
  /** The longest `Retry-After` honoured, in seconds. Default 30. */
  maxRetryAfter?: number;
}

export interface AuthClient {
  readonly mode: 'cookie' | 'header';
  /** Settles once the client has caught up with the other tabs (the ledger; in header mode, their tokens). */
  readonly ready: Promise<void>;
  /** Whether this tab holds credentials of a live session, as far as it knows. */
  readonly loggedIn: boolean;
  /**
   * `fetch` with the credentials added. Renews the access token before it expires, and once on a
   * 401 `token_expired`; retries a 503 after its `Retry-After`; any other 401 (but
   * `fresh_token_required` and `invalid_credentials`, which do not end a session) logs every tab out.
   * Bodies are re-sent on a retry, so a ReadableStream body is read into memory first by `Request.clone()`.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Logs in with the login route's body; throws an AuthClientError (`invalid_credentials`, ...). */
  login(credentials: unknown): Promise<void>;
  /** Ends this session at the server and logs every tab out. */
  logout(): Promise<void>;
  /** Logs every tab out after the app ended the session through a route of its own (log out everywhere). */
  markLoggedOut(reason: string): void;
  /** Renews the credentials now, once for all tabs; false when the session is over. */
  refresh(): Promise<boolean>;
  /** Header mode: an access token that is not due for renewal; `undefined` when logged out. */
  accessToken(): Promise<string | undefined>;
  /** A WebSocket that authenticates, follows renewals, reconnects with back-off and stops on 4401. */
  socket(path: string, options?: AuthSocketOptions): AuthSocket;
  on<E extends keyof AuthClientEvents>(event: E, listener: Listener<E>): () => void;
  /** Stops the timers and leaves the channel (for tests and single-page apps tearing down). */
  close(): void;
}

/** Codes of a 401 that refuse one request without ending the session. */
const sessionSurvives = new Set(['fresh_token_required', 'invalid_credentials']);
/** How long a tab waits for the tokens of a renewal another tab made (header mode). */
const catchUpMs = 3000;
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
  const ledger = openLedger(name);

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
        refreshFrom(generation).catch(() => {
          // No network or no server: try again soon; an expired token is renewed on its 401 anyway.
          renewalTimer = setTimeout(schedule, retryRenewalMs);
        });
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
      if (message.generation <= generation && loggedIn) return; // old news
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

  /** Waits until this tab has the credentials of `target` (header mode: they come by broadcast). */
  async function catchUp(target: number): Promise<void> {
    for (const askOthers of [false, true]) {
      if (generation >= target) return;
      if (askOthers) tabs.post({ type: 'sync-request' });
      let resolveWait = () => {};
      const arrived = new Promise<void>((resolve) => {
        resolveWait = resolve;
      });
      caughtUp.add(resolveWait);
      await Promise.race([arrived, sleep(catchUpMs)]);
      caughtUp.delete(resolveWait);
    }
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
      generation = record?.generation ?? 0;
      if (loggedIn && record?.loggedIn === true)
        deadlines = { renewAt: record.renewAt, expiresAt: record.expiresAt };
      schedule();
    } else if (record?.loggedIn === true) {
      // Header mode: the tokens are in the memory of the other tabs, if any is open.
      await catchUp(record.generation);
    }
  })();

  async function authFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    await ready;
    const original = new Request(input instanceof URL ? input.href : input, init);
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
          if (await refreshFrom(seen).catch(() => false)) continue;
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
