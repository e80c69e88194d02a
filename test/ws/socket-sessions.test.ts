import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Auth,
  AuthError,
  createAuth,
  memoryStore,
  type RevocationEvent,
  type SessionStore,
} from 'authjwt';
import { createSocketSessions, type SocketSessions, type SocketSessionsOptions } from 'authjwt/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { waitFor } from '../helpers/redis-server.js';
import { expiryOf, openSocket, type TestSocket } from './client.js';

/*
 * The socket guard on its own: a real `ws` server and real client sockets, an auth instance on the
 * memory store. Where a test needs the store to be slow, to fail, or its revocation channel to drop
 * events, the memory store is wrapped (never replaced) to do exactly that.
 */

const secret = 'socket-sessions-test-secret-0123456789abcdef';

interface Harness {
  url: string;
  auth: Auth;
  sockets: SocketSessions;
  errors: unknown[];
  close(): Promise<void>;
}

const running: Harness[] = [];
afterEach(async () => {
  for (const harness of running.splice(0)) await harness.close();
});

/**
 * A server whose sockets are guarded. The header `x-token` stands for a token known at the upgrade
 * (what a cookie gives), `x-refuse` for an adapter's refusal.
 */
async function serve(
  options: {
    store?: SessionStore;
    accessTtl?: number;
    strict?: boolean;
    idleTimeout?: number;
    cacheMaxAge?: number;
    guard?: SocketSessionsOptions;
  } = {},
): Promise<Harness> {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret },
    store: options.store ?? memoryStore(),
    accessTtl: options.accessTtl ?? 900,
    sessions: {
      ...(options.strict === true && { revocation: 'strict' as const }),
      ...(options.idleTimeout !== undefined && { idleTimeout: options.idleTimeout }),
      ...(options.cacheMaxAge !== undefined && { cache: { maxAge: options.cacheMaxAge } }),
    },
  });
  const errors: unknown[] = [];
  const sockets = createSocketSessions(auth, { onError: (error) => errors.push(error), ...options.guard });
  const server: Server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, request) => {
    const token = request.headers['x-token'];
    void sockets.accept(socket, {
      token: typeof token === 'string' ? token : undefined,
      refusal: request.headers['x-refuse'] === undefined ? undefined : new AuthError('csrf_failed'),
      onAuthenticated: (context) => socket.send(JSON.stringify({ type: 'hello', username: context.subject })),
      onText(text) {
        if (text === 'throw') throw new Error('handler failed');
        if (text === 'reject') return Promise.reject(new Error('handler rejected'));
        socket.send(JSON.stringify({ type: 'echo', data: text }));
        return undefined;
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const harness: Harness = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth,
    sockets,
    errors,
    async close() {
      sockets.close();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
      await auth.close();
    },
  };
  running.push(harness);
  return harness;
}

async function helloBy(harness: Harness, accessToken: string): Promise<TestSocket> {
  const socket = await openSocket(harness.url);
  socket.send({ type: 'auth', access_token: accessToken });
  expect(await socket.next()).toEqual({ type: 'hello', username: 'alice' });
  return socket;
}

describe('authentication', () => {
  it('closes with 4401 auth_timeout when no auth message comes within the deadline', async () => {
    const harness = await serve({ guard: { authTimeout: '200ms' } });
    const started = performance.now();
    const socket = await openSocket(harness.url);
    const closed = await socket.closed;
    expect(closed).toMatchObject({ code: 4401, reason: 'auth_timeout' });
    expect(closed.at - started).toBeGreaterThanOrEqual(190);
    expect(closed.at - started).toBeLessThan(1000);
  });

  it.each([
    ['not JSON', 'hello there'],
    ['JSON of another type', JSON.stringify({ type: 'hello' })],
    ['an auth message without a token', JSON.stringify({ type: 'auth' })],
    ['an auth message with a non-string token', JSON.stringify({ type: 'auth', access_token: 42 })],
    ['a JSON array', '[]'],
    ['a binary message', Buffer.from(JSON.stringify({ type: 'auth', access_token: 'x' }))],
  ])('closes with 4401 when the first message is %s', async (_name, message) => {
    const harness = await serve();
    const socket = await openSocket(harness.url);
    socket.send(message);
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'auth_message_expected' });
  });

  it('closes with 4401 and the error code, never the token, for a bad token', async () => {
    const harness = await serve();
    const { accessToken, refreshToken } = await harness.auth.login({ subject: 'alice' });
    const cases = [
      ['garbage.token.value', 'token_invalid'],
      [`${accessToken.slice(0, -4)}AAAA`, 'token_invalid'],
      [refreshToken, 'wrong_token_type'],
    ] as const;
    for (const [token, code] of cases) {
      const socket = await openSocket(harness.url);
      socket.send({ type: 'auth', access_token: token });
      const closed = await socket.closed;
      expect(closed).toMatchObject({ code: 4401, reason: code });
      expect(closed.reason).not.toContain(token);
    }
  });

  it('refuses a first message larger than maxAuthMessageBytes without reading it', async () => {
    const harness = await serve({ guard: { maxAuthMessageBytes: 256 } });
    const { accessToken } = await harness.auth.login({ subject: 'alice' });
    const socket = await openSocket(harness.url);
    socket.send({ type: 'auth', access_token: accessToken, padding: 'x'.repeat(300) });
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'auth_message_expected' });
  });

  it('authenticates with a token known at the upgrade, and refuses a bad one there', async () => {
    const harness = await serve();
    const { accessToken } = await harness.auth.login({ subject: 'alice' });
    const good = await openSocket(harness.url, { 'x-token': accessToken });
    expect(await good.next()).toEqual({ type: 'hello', username: 'alice' });
    const bad = await openSocket(harness.url, { 'x-token': 'not-a-token' });
    expect(await bad.closed).toMatchObject({ code: 4401, reason: 'token_invalid' });
  });

  it("closes with 4401 and the refusal's code when the adapter refused the upgrade's credentials", async () => {
    const harness = await serve();
    const socket = await openSocket(harness.url, { 'x-refuse': '1' });
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
  });

  it('hands over, in order, the messages sent while authentication was in flight', async () => {
    const slow = wrapStore(memoryStore());
    slow.delayMs = 100;
    const harness = await serve({ store: slow.store, strict: true });
    const { accessToken } = await harness.auth.login({ subject: 'alice' });
    const socket = await openSocket(harness.url);
    socket.send({ type: 'auth', access_token: accessToken });
    socket.send('one');
    socket.send('two');
    expect(await socket.next()).toEqual({ type: 'hello', username: 'alice' });
    expect(await socket.next()).toEqual({ type: 'echo', data: 'one' });
    expect(await socket.next()).toEqual({ type: 'echo', data: 'two' });
  });

  it('closes with 1013, not 4401, when the store cannot answer the authentication', async () => {
    const failing = wrapStore(memoryStore());
    const harness = await serve({ store: failing.store, strict: true });
    const { accessToken } = await harness.auth.login({ subject: 'alice' });
    failing.failing = true;
    const socket = await openSocket(harness.url);
    socket.send({ type: 'auth', access_token: accessToken });
    expect(await socket.closed).toMatchObject({ code: 1013, reason: 'store_unavailable' });
  });
});

describe('revocation and expiry', () => {
  it('closes with 4401 token_revoked when its session is revoked, and leaves the other session open', async () => {
    const harness = await serve();
    const mine = await harness.auth.login({ subject: 'alice' });
    const other = await harness.auth.login({ subject: 'alice' });
    const socket = await helloBy(harness, mine.accessToken);
    const bystander = await helloBy(harness, other.accessToken);
    await harness.auth.revokeSession('alice', mine.sessionId);
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
    bystander.send('still here');
    expect(await bystander.next()).toEqual({ type: 'echo', data: 'still here' });
  });

  it('closes every socket of the user on logout-all and on deactivation', async () => {
    const harness = await serve();
    const sockets = [];
    for (let n = 0; n < 3; n += 1) {
      sockets.push(await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken));
    }
    await harness.auth.logoutAll('alice');
    for (const socket of sockets) expect((await socket.closed).code).toBe(4401);

    const again = await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken);
    await harness.auth.deactivateUser('alice');
    expect((await again.closed).code).toBe(4401);
    await waitFor(() => harness.sockets.size === 0);
  });

  it('keeps the socket open on a user event that ended nothing (a changed profile)', async () => {
    const harness = await serve();
    const socket = await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken);
    await harness.auth.invalidateUser('alice');
    await sleep(50);
    socket.send('after');
    expect(await socket.next()).toEqual({ type: 'echo', data: 'after' });
    expect(socket.isOpen()).toBe(true);
  });

  it('closes a socket whose authentication read the store before a revocation it then missed', async () => {
    // The store answers 100 ms after reading: the revocation lands between the read and the answer.
    const slow = wrapStore(memoryStore());
    const harness = await serve({ store: slow.store, strict: true });
    const { accessToken, sessionId } = await harness.auth.login({ subject: 'alice' });
    slow.delayMs = 100;
    const socket = await openSocket(harness.url);
    socket.send({ type: 'auth', access_token: accessToken });
    await sleep(30);
    slow.delayMs = 0;
    await harness.auth.revokeSession('alice', sessionId);
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
  });

  it('closes with 4401 token_expired when the access token expires, not before', async () => {
    const harness = await serve({ accessTtl: 1 });
    const { accessToken } = await harness.auth.login({ subject: 'alice' });
    const socket = await helloBy(harness, accessToken);
    const closed = await socket.closed;
    expect(closed).toMatchObject({ code: 4401, reason: 'token_expired' });
    const lateMs = closed.wallAt - expiryOf(accessToken) * 1000;
    expect(lateMs).toBeGreaterThanOrEqual(-5);
    expect(lateMs).toBeLessThan(1000);
  });

  it('checks every socket again when the revocation channel comes back and closes the dead ones', async () => {
    const gappy = wrapStore(memoryStore());
    const harness = await serve({ store: gappy.store });
    const dead = await harness.auth.login({ subject: 'alice' });
    const live = await harness.auth.login({ subject: 'alice' });
    const deadSocket = await helloBy(harness, dead.accessToken);
    const liveSocket = await helloBy(harness, live.accessToken);
    // Revoked with its event lost: no polling, nothing notices it yet.
    gappy.muted = true;
    await gappy.store.revokeSession('alice', dead.sessionId);
    await sleep(100);
    expect(deadSocket.isOpen()).toBe(true);
    gappy.channel('down');
    gappy.channel('up');
    expect(await deadSocket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
    liveSocket.send('alive');
    expect(await liveSocket.next()).toEqual({ type: 'echo', data: 'alive' });
  });

  it('closes the socket within a second of its session ending by itself (idle timeout), long before exp', async () => {
    const harness = await serve({ idleTimeout: 1 });
    const pair = await harness.auth.login({ subject: 'alice' });
    const socket = await helloBy(harness, pair.accessToken);
    const sessionEndsAt = (await harness.auth.authenticate(pair.accessToken)).sessionEndsAt ?? 0;
    const closed = await socket.closed;
    expect(closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
    const late = Date.now() - sessionEndsAt;
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
  });

  it.each([
    ['recheckInterval', { guard: { recheckInterval: 1 } }],
    ['sessions.cache.maxAge by default: trusted no longer than a cached check', { cacheMaxAge: 1 }],
  ] as const)(
    'checks every socket against the store once per %s, whatever the channel says',
    async (_period, options) => {
      const gappy = wrapStore(memoryStore());
      const harness = await serve({ store: gappy.store, ...options });
      const dead = await harness.auth.login({ subject: 'alice' });
      const deadSocket = await helloBy(harness, dead.accessToken);
      gappy.muted = true;
      const revokedAt = performance.now();
      await gappy.store.revokeSession('alice', dead.sessionId); // its event is lost; the channel says up
      expect(await deadSocket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
      expect(performance.now() - revokedAt).toBeLessThan(2500);
    },
  );

  it('while the channel stays down, checks every socket every 2 s (revocations may be missed)', async () => {
    const gappy = wrapStore(memoryStore());
    const harness = await serve({ store: gappy.store });
    const dead = await harness.auth.login({ subject: 'alice' });
    const deadSocket = await helloBy(harness, dead.accessToken);
    gappy.channel('down');
    await sleep(100); // past the check made when the channel went down
    const revokedAt = performance.now();
    await harness.auth.revokeSession('alice', dead.sessionId); // its event is lost in the gap
    expect(await deadSocket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
    expect(performance.now() - revokedAt).toBeLessThan(3000);
  });

  it('retries a re-check while the store cannot answer, then fails closed with 1013', async () => {
    const gappy = wrapStore(memoryStore());
    const harness = await serve({ store: gappy.store, guard: { storeRetryDelays: ['20ms', '20ms'] } });
    const socket = await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken);
    gappy.channel('down');
    gappy.failing = true;
    gappy.channel('up');
    expect(await socket.closed).toMatchObject({ code: 1013, reason: 'store_unavailable' });
    expect(gappy.failedCalls).toBeGreaterThanOrEqual(3);
  });

  it('keeps the socket when the store answers again within the retries', async () => {
    const gappy = wrapStore(memoryStore());
    const harness = await serve({ store: gappy.store, guard: { storeRetryDelays: ['100ms', '100ms'] } });
    const socket = await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken);
    gappy.channel('down');
    gappy.failing = true;
    gappy.channel('up');
    await waitFor(() => gappy.failedCalls > 0);
    gappy.failing = false;
    await sleep(300);
    socket.send('survived');
    expect(await socket.next()).toEqual({ type: 'echo', data: 'survived' });
  });
});

describe('robustness and bookkeeping', () => {
  it('closes with 1011 when a handler throws or rejects, and reports the error instead of crashing', async () => {
    const harness = await serve();
    for (const trigger of ['throw', 'reject']) {
      const socket = await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken);
      socket.send(trigger);
      expect(await socket.closed).toMatchObject({ code: 1011, reason: 'internal_error' });
    }
    expect(harness.errors.map((error) => (error as Error).message)).toEqual([
      'handler failed',
      'handler rejected',
    ]);
  });

  it('forgets sockets the client closed, and its timers with them', async () => {
    const harness = await serve();
    const sockets = await Promise.all(
      [1, 2, 3].map(async () =>
        helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken),
      ),
    );
    expect(harness.sockets.size).toBe(3);
    for (const socket of sockets) socket.ws.close(1000);
    await waitFor(() => harness.sockets.size === 0);
    // A revocation for the user now finds nothing to close, and nothing throws.
    await harness.auth.logoutAll('alice');
    await sleep(20);
    expect(harness.errors).toEqual([]);
  });

  it('closes every socket with 1001 on close(), and refuses new ones after it', async () => {
    const harness = await serve();
    const open = await helloBy(harness, (await harness.auth.login({ subject: 'alice' })).accessToken);
    const waiting = await openSocket(harness.url);
    harness.sockets.close();
    expect(await open.closed).toMatchObject({ code: 1001, reason: 'server_closing' });
    expect(await waiting.closed).toMatchObject({ code: 1001, reason: 'server_closing' });
    const late = await openSocket(harness.url);
    expect((await late.closed).code).toBe(1001);
  });

  it('forgets at once a socket that was already closed when it was handed over', async () => {
    const harness = await serve();
    const { accessToken } = await harness.auth.login({ subject: 'alice' });
    // The smallest WebSocketLike: one whose peer left before accept() (its 'close' already fired).
    const gone = { readyState: 3, close: () => undefined, on: () => undefined };
    expect(await harness.sockets.accept(gone, { token: accessToken })).toBeUndefined();
    expect(harness.sockets.size).toBe(0);
  });

  it('validates its options once, naming the option', async () => {
    const harness = await serve();
    expect(() => createSocketSessions(harness.auth, { authTimeout: 0 })).toThrow(/authTimeout/);
    expect(() => createSocketSessions(harness.auth, { storeRetryDelays: [-1] })).toThrow(/storeRetryDelays/);
    expect(() => createSocketSessions({} as Auth)).toThrow(/`auth`/);
  });
});

/**
 * The memory store with knobs: answers that come `delayMs` late (read first, then wait), calls that
 * fail, and a revocation channel that can be taken down (events published meanwhile are lost).
 */
function wrapStore(inner: SessionStore) {
  type Signal = RevocationEvent | 'down' | 'up';
  const listeners = new Set<(signal: Signal) => void>();
  let up = true;
  const control = {
    delayMs: 0,
    failing: false,
    failedCalls: 0,
    /** Revocations made while muted never reach the listeners, as if lost with the connection. */
    muted: false,
    channel(signal: 'down' | 'up') {
      up = signal === 'up';
      for (const listener of listeners) queueMicrotask(() => listener(signal));
    },
    store: undefined as unknown as SessionStore,
  };
  inner.subscribe((signal) => {
    if (signal === 'up' || signal === 'down' || !up || control.muted) return;
    for (const listener of listeners) listener(signal);
  });
  control.store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'subscribe') {
        return (listener: (signal: Signal) => void) => {
          listeners.add(listener);
          if (up) queueMicrotask(() => listener('up'));
          return () => listeners.delete(listener);
        };
      }
      if (property === 'getSessionState') {
        return async (...args: Parameters<SessionStore['getSessionState']>) => {
          if (control.failing) {
            control.failedCalls += 1;
            throw new Error('store down');
          }
          const answer = await target.getSessionState(...args);
          if (control.delayMs > 0) await sleep(control.delayMs);
          return answer;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return control;
}
