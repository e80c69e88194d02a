import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { call } from '../app/start-app.js';

export interface Closed {
  code: number;
  reason: string;
  /** `performance.now()` when the client saw the close. */
  at: number;
  /** `Date.now()` when the client saw the close. */
  wallAt: number;
}

/** A real `ws` client socket with its messages queued and its close recorded. */
export interface TestSocket {
  readonly ws: WebSocket;
  /** Resolves when the socket closes (never rejects). */
  readonly closed: Promise<Closed>;
  /** The next message, parsed as JSON when it is JSON; rejects if the socket closes first. */
  next(timeoutMs?: number): Promise<unknown>;
  send(value: unknown): void;
  isOpen(): boolean;
}

/** Opens a socket; resolves once the upgrade succeeded, rejects with the HTTP status if it was refused. */
export function openSocket(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, { headers });
  const queue: unknown[] = [];
  const waiters: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  let closedValue: Closed | undefined;
  const closed = new Promise<Closed>((resolve) => {
    ws.on('close', (code, reason) => {
      closedValue = { code, reason: reason.toString(), at: performance.now(), wallAt: Date.now() };
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`closed ${code} ${closedValue.reason}`));
      resolve(closedValue);
    });
  });
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? undefined : data.toString();
    let value: unknown = data;
    if (text !== undefined) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    }
    const waiter = waiters.shift();
    if (waiter === undefined) queue.push(value);
    else waiter.resolve(value);
  });
  const socket: TestSocket = {
    ws,
    closed,
    next(timeoutMs = 3000) {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      if (closedValue !== undefined) return Promise.reject(new Error(`closed ${closedValue.code}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
        waiters.push({
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
    send(value) {
      ws.send(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
    },
    isOpen: () => ws.readyState === WebSocket.OPEN,
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_request, response) => {
      reject(new Error(`upgrade refused: ${response.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

export function wsUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}/ws`;
}

export interface Login {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  /** The access token's `exp`, in seconds. */
  exp: number;
}

/** `POST /auth/login` with the seeded password, and the session id from `GET /me`. */
export async function login(base: string, username: string): Promise<Login> {
  const reply = await call(base, 'POST', '/auth/login', {
    body: { username, password: `${username}-pass` },
  });
  expect(reply.status).toBe(200);
  const accessToken = reply.body.access_token as string;
  const me = await call(base, 'GET', '/me', { token: accessToken });
  expect(me.status).toBe(200);
  return {
    accessToken,
    refreshToken: reply.body.refresh_token as string,
    sessionId: me.body.session_id as string,
    exp: expiryOf(accessToken),
  };
}

export function expiryOf(token: string): number {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp: number }).exp;
}

/** Opens `/ws` and authenticates by first message; resolves after the hello. */
export async function authenticatedSocket(base: string, accessToken: string): Promise<TestSocket> {
  const socket = await openSocket(wsUrl(base));
  socket.send({ type: 'auth', access_token: accessToken });
  expect(await socket.next()).toMatchObject({ type: 'hello' });
  return socket;
}

/** Close latencies measured by a test file, printed at its end for the report. */
export class Latencies {
  readonly #samples: { name: string; ms: number }[] = [];

  add(name: string, ms: number): void {
    this.#samples.push({ name, ms });
  }

  summary(title: string): string {
    const sorted = this.#samples.map((s) => s.ms).sort((a, b) => a - b);
    if (sorted.length === 0) return `${title}: no samples`;
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
    const max = sorted[sorted.length - 1] ?? 0;
    const lines = this.#samples.map((s) => `  ${s.name}: ${s.ms.toFixed(1)} ms`);
    return [
      `${title}: n=${sorted.length} median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
      ...lines,
    ].join('\n');
  }
}

/**
 * Opens an echoing socket authenticated at the upgrade by `accessToken`, logs its session out through
 * `auth`, and asserts the socket closes with 4401 `token_revoked` within the contract's second.
 */
export async function expectClosedOnLogout(
  url: string,
  auth: { logout(token: string): Promise<void> },
  accessToken: string,
): Promise<void> {
  const socket = await openSocket(url, { authorization: `Bearer ${accessToken}` });
  socket.send('ping');
  expect(await socket.next()).toBe('ping');
  const loggedOutAt = performance.now();
  await auth.logout(accessToken);
  const closed = await socket.closed;
  expect([closed.code, closed.reason]).toEqual([4401, 'token_revoked']);
  expect(closed.at - loggedOutAt).toBeLessThan(1000);
}
