import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningApp, startApp } from '../app/start-app.js';
import { login, openSocket, type TestSocket, wsUrl } from './client.js';

/*
 * The reference app's `GET /ws` handshake over real HTTP and real sockets (memory store): the ways in
 * (bearer header, access cookie from an allowed Origin, first message) and the refusals (4401).
 */

let app: RunningApp;
let url: string;
/** A socket that never authenticates, opened first so the contract's 5 s run alongside the other tests. */
let silent: { socket: TestSocket; openedAt: number };

beforeAll(async () => {
  app = await startApp({ JWT_SECRET: 'ws-handshake-test-secret-0123456789abcdef' });
  url = wsUrl(app.url);
  const openedAt = performance.now();
  silent = { socket: await openSocket(url), openedAt };
});
afterAll(async () => app?.close());

async function cookieLogin(username: string): Promise<{ cookie: string; csrf: string }> {
  const reply = await call(app.url, 'POST', '/auth/cookie/login', {
    body: { username, password: `${username}-pass` },
  });
  expect(reply.status).toBe(204);
  const pairs = reply.headers.getSetCookie().map((line) => line.split(';')[0] ?? '');
  const csrf = pairs.find((pair) => pair.startsWith('__Host-csrf='))?.slice('__Host-csrf='.length) ?? '';
  return { cookie: pairs.join('; '), csrf };
}

describe('GET /ws: authenticated sockets', () => {
  it('authenticates by first message, says hello with the username, and echoes each text message', async () => {
    const { accessToken } = await login(app.url, 'alice');
    const socket = await openSocket(url);
    socket.send({ type: 'auth', access_token: accessToken });
    expect(await socket.next()).toEqual({ type: 'hello', username: 'alice' });
    for (const text of ['ping', '{"type":"auth","access_token":"again"}', 'ünïcödé']) {
      socket.send(text);
      expect(await socket.next()).toEqual({ type: 'echo', data: text });
    }
    socket.ws.close(1000);
    expect((await socket.closed).code).toBe(1000);
  });

  it('authenticates with an Authorization: Bearer header at the upgrade', async () => {
    const { accessToken } = await login(app.url, 'bob');
    const socket = await openSocket(url, { authorization: `Bearer ${accessToken}` });
    expect(await socket.next()).toEqual({ type: 'hello', username: 'bob' });
    socket.send('hi');
    expect(await socket.next()).toEqual({ type: 'echo', data: 'hi' });
    socket.ws.close(1000);
  });

  it('accepts the access cookie from the app’s own Origin, and from a client that sends none', async () => {
    const { cookie } = await cookieLogin('alice');
    const own = await openSocket(url, { cookie, origin: app.url });
    expect(await own.next()).toEqual({ type: 'hello', username: 'alice' });
    const noOrigin = await openSocket(url, { cookie });
    expect(await noOrigin.next()).toEqual({ type: 'hello', username: 'alice' });
    own.ws.close(1000);
    noOrigin.ws.close(1000);
  });

  it.each(['https://evil.example', 'null', 'http://127.0.0.1:1'])(
    'refuses the access cookie from the foreign Origin %s (4401 csrf_failed)',
    async (origin) => {
      const { cookie } = await cookieLogin('alice');
      const socket = await openSocket(url, { cookie, origin });
      const closed = await socket.closed;
      expect(closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
    },
  );

  it('refuses the access cookie from the app’s own host and port under another scheme (4401 csrf_failed)', async () => {
    const { cookie } = await cookieLogin('alice');
    const socket = await openSocket(url, { cookie, origin: app.url.replace(/^http:/, 'https:') });
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
  });

  it('closes a cookie socket with 4401 when that session logs out through the cookie route', async () => {
    const { cookie, csrf } = await cookieLogin('alice');
    const socket = await openSocket(url, { cookie, origin: app.url });
    expect(await socket.next()).toMatchObject({ type: 'hello' });
    const reply = await call(app.url, 'POST', '/auth/cookie/logout', {
      headers: { cookie, 'x-csrf-token': csrf, origin: app.url },
    });
    expect(reply.status).toBe(204);
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
  });
});

describe('GET /ws: refusals close with 4401', () => {
  it.each([
    ['a text message that is not JSON', 'hello'],
    ['JSON that is not an auth message', JSON.stringify({ type: 'subscribe', channel: 'x' })],
    ['an auth message without a token', JSON.stringify({ type: 'auth' })],
  ])('refuses %s as the first message', async (_name, message) => {
    const socket = await openSocket(url);
    socket.send(message);
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'auth_message_expected' });
  });

  it('refuses a bad, a refresh or a logged-out token, without echoing it', async () => {
    const tokens = await login(app.url, 'bob');
    const ended = await login(app.url, 'bob');
    expect((await call(app.url, 'POST', '/auth/logout', { token: ended.accessToken })).status).toBe(204);
    const cases = [
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.bad', 'token_invalid'],
      [tokens.refreshToken, 'wrong_token_type'],
      [ended.accessToken, 'token_revoked'],
    ] as const;
    for (const [token, code] of cases) {
      const socket = await openSocket(url);
      socket.send({ type: 'auth', access_token: token });
      const closed = await socket.closed;
      expect(closed).toMatchObject({ code: 4401, reason: code });
      expect(closed.reason).not.toContain(token);
    }
  });

  it('refuses a bad token in the Authorization header or the cookie at the upgrade', async () => {
    const header = await openSocket(url, { authorization: 'Bearer not.a.token' });
    expect(await header.closed).toMatchObject({ code: 4401, reason: 'token_invalid' });
    const cookie = await openSocket(url, { cookie: '__Host-access=not.a.token', origin: app.url });
    expect(await cookie.closed).toMatchObject({ code: 4401, reason: 'token_invalid' });
  });

  it('closes a socket that sends nothing after the 5 second deadline of the contract', async () => {
    const closed = await silent.socket.closed;
    expect(closed).toMatchObject({ code: 4401, reason: 'auth_timeout' });
    expect(closed.at - silent.openedAt).toBeGreaterThanOrEqual(4900);
    expect(closed.at - silent.openedAt).toBeLessThan(6000);
  }, 10_000);
});
