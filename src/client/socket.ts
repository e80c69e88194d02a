import { browser, type WebSocketLike } from './browser.js';
import type { AuthClientEvents, Listener } from './events.js';

export type AuthSocketState = 'connecting' | 'open' | 'closed';

export interface AuthSocketOptions {
  /** Every message the server sends, from whichever connection is current. */
  onMessage?(data: unknown): void;
  /** `open` once the server has spoken on an authenticated connection; unchanged while one replaces another. */
  onStateChange?(state: AuthSocketState): void;
  /** The helper gave up for good: `logged-out`, `refused` (4401 even after a renewal) or `closed` (close()). */
  onStop?(reason: 'logged-out' | 'refused' | 'closed'): void;
  /** First wait before reconnecting, in ms (doubled on each failure, up to `maxDelay`). Default 1000. */
  initialDelay?: number;
  /** Default 30000. */
  maxDelay?: number;
}

export interface AuthSocket {
  readonly state: AuthSocketState;
  /** Sends on the current connection; false when there is none. */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): boolean;
  close(): void;
}

/** What the socket needs of the client. */
export interface SocketHost {
  readonly mode: 'cookie' | 'header';
  readonly loggedIn: boolean;
  accessToken(): Promise<string | undefined>;
  refresh(): Promise<boolean>;
  on<E extends keyof AuthClientEvents>(event: E, listener: Listener<E>): () => void;
}

/** The close code with which the server refuses, or ends, an authentication (the contract's 4401). */
export const refusedCode = 4401;

/**
 * A WebSocket that stays authenticated. In cookie mode the access cookie goes with the upgrade; in
 * header mode the first message is `{"type":"auth","access_token":...}`. The server counts a
 * connection as authenticated by speaking first, so that is when the state becomes `open`.
 *
 * The server closes a socket when its access token expires, so each renewal opens a new connection
 * with the new credentials and closes the old one once the new one is greeted. A 4401 means the token
 * lapsed or the session ended; one renewal tells which: it succeeds (reconnect at once) or the client
 * learns the session is over and logs every tab out (stop). Any other close reconnects with
 * exponential back-off and jitter.
 */
export function openAuthSocket(host: SocketHost, httpUrl: string, options: AuthSocketOptions): AuthSocket {
  const found = browser.WebSocket;
  if (found === undefined) throw new TypeError('This environment has no WebSocket.');
  const WebSocketClass = found;
  const target = new URL(httpUrl);
  target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  const initialDelay = options.initialDelay ?? 1000;
  const maxDelay = options.maxDelay ?? 30_000;

  let live: WebSocketLike | undefined; // greeted: the one messages are sent on
  let pending: WebSocketLike | undefined; // connecting, to become live when greeted
  let state: AuthSocketState = 'closed';
  let stopped = false;
  let delay = initialDelay;
  let renewedFor401 = false; // a renewal was already tried for a 4401 since the last greeting
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: AuthSocketState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };

  function stop(reason: 'logged-out' | 'refused' | 'closed'): void {
    if (stopped) return;
    stopped = true;
    clearTimeout(reconnectTimer);
    for (const off of unsubscribe) off();
    const open = [live, pending];
    live = pending = undefined;
    for (const socket of open) socket?.close(1000);
    setState('closed');
    options.onStop?.(reason);
  }

  async function connect(): Promise<void> {
    clearTimeout(reconnectTimer);
    if (stopped) return;
    if (!host.loggedIn) return stop('logged-out');
    const token = host.mode === 'header' ? await host.accessToken() : undefined;
    if (stopped) return;
    if (host.mode === 'header' && token === undefined) return stop('logged-out');
    if (live === undefined) setState('connecting');
    const socket = new WebSocketClass(target.href);
    pending?.close(1000);
    pending = socket;
    let greeted = false;
    socket.addEventListener('open', () => {
      if (token !== undefined) socket.send(JSON.stringify({ type: 'auth', access_token: token }));
    });
    socket.addEventListener('message', (event) => {
      if (!greeted && socket === pending) {
        greeted = true;
        const replaced = live;
        live = socket;
        pending = undefined;
        replaced?.close(1000); // no longer live or pending: its close is ignored below
        delay = initialDelay;
        renewedFor401 = false;
        setState('open');
      }
      if (socket === live) options.onMessage?.(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (socket === pending) pending = undefined;
      else if (socket === live) live = undefined;
      else return; // replaced, or closed by stop()
      if (stopped || live !== undefined || pending !== undefined) return;
      void closed(event.code);
    });
  }

  async function closed(code: number): Promise<void> {
    setState('connecting');
    if (!host.loggedIn) return stop('logged-out');
    if (code === refusedCode) {
      if (renewedFor401) return stop('refused');
      // The token lapsed (renew, then reconnect at once) or the session ended (the renewal is refused
      // and the client logs every tab out, which stops this socket through its event).
      const renewed = await host.refresh().catch(() => undefined);
      if (stopped) return;
      if (renewed === false) return stop('logged-out');
      if (renewed === true) {
        renewedFor401 = true;
        return connect();
      }
    }
    reconnectTimer = setTimeout(() => void connect(), delay * (0.5 + Math.random() / 2));
    delay = Math.min(delay * 2, maxDelay);
  }

  const unsubscribe = [
    host.on('logged-out', () => stop('logged-out')),
    // New credentials: move onto them before the server closes the connection made with the old ones.
    host.on('renewed', () => {
      if (!stopped && (live !== undefined || pending !== undefined)) void connect();
    }),
  ];

  void connect();

  return {
    get state() {
      return state;
    },
    send(data) {
      if (live?.readyState !== WebSocketClass.OPEN) return false;
      live.send(data);
      return true;
    },
    close: () => stop('closed'),
  };
}
