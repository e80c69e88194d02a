import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { authenticatedSocket, login, openSocket, wsUrl } from '../ws/client.js';
import { call, frameworks, type RunningApp, startApp } from './start-app.js';

/*
 * Issue 13, point 4: `GET /ws` keeps the contract on every framework (Fastify's own handshake and
 * revocation suites are in test/ws): the three ways in, hello and echo, 4401 for refused credentials
 * and for a session that ends, the 64 KiB frame limit, and no upgrade anywhere but /ws.
 */

async function cookieLogin(base: string, username: string): Promise<{ cookie: string; csrf: string }> {
  const reply = await call(base, 'POST', '/auth/cookie/login', {
    body: { username, password: `${username}-pass` },
  });
  expect(reply.status).toBe(204);
  const pairs = reply.headers.getSetCookie().map((line) => line.split(';')[0] ?? '');
  const csrf = pairs.find((pair) => pair.startsWith('__Host-csrf='))?.slice('__Host-csrf='.length) ?? '';
  return { cookie: pairs.join('; '), csrf };
}

/** The HTTP answer to a refused upgrade: its status and JSON body. */
function refusedUpgrade(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        ws.terminate();
      });
    });
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => {});
  });
}

describe.each(frameworks)('GET /ws on %s', (framework) => {
  let app: RunningApp;
  let url: string;

  beforeAll(async () => {
    app = await startApp({
      APP_FRAMEWORK: framework,
      JWT_SECRET: 'frameworks-ws-test-secret-0123456789abcdef',
    });
    url = wsUrl(app.url);
  });
  afterAll(async () => app?.close());

  it('authenticates by first message, says hello with the username and echoes each text message', async () => {
    const { accessToken } = await login(app.url, 'alice');
    const socket = await openSocket(`${url}?access_token=ignored`);
    socket.send({ type: 'auth', access_token: accessToken });
    expect(await socket.next()).toEqual({ type: 'hello', username: 'alice' });
    for (const text of ['ping', 'ünïcödé', 'x'.repeat(60 * 1024)]) {
      socket.send(text);
      expect(await socket.next()).toEqual({ type: 'echo', data: text });
    }
    socket.ws.close(1000);
    expect((await socket.closed).code).toBe(1000);
  });

  it('takes a bearer header, or the access cookie from the app’s own Origin; refuses it from another (4401)', async () => {
    const { accessToken } = await login(app.url, 'bob');
    const bearer = await openSocket(url, { authorization: `Bearer ${accessToken}` });
    expect(await bearer.next()).toEqual({ type: 'hello', username: 'bob' });
    const { cookie } = await cookieLogin(app.url, 'alice');
    const own = await openSocket(url, { cookie, origin: app.url });
    expect(await own.next()).toEqual({ type: 'hello', username: 'alice' });
    const foreign = await openSocket(url, { cookie, origin: 'https://evil.example' });
    expect(await foreign.closed).toMatchObject({ code: 4401, reason: 'csrf_failed' });
    bearer.ws.close(1000);
    own.ws.close(1000);
  });

  it('closes with 4401 a refused first message or token', async () => {
    const notAuth = await openSocket(url);
    notAuth.send('hello');
    expect(await notAuth.closed).toMatchObject({ code: 4401, reason: 'auth_message_expected' });
    const forged = await openSocket(url, { authorization: 'Bearer not.a.token' });
    expect(await forged.closed).toMatchObject({ code: 4401, reason: 'token_invalid' });
  });

  it('closes with 4401 within a second of the session’s logout, bearer or cookie', async () => {
    const alice = await login(app.url, 'alice');
    const socket = await authenticatedSocket(app.url, alice.accessToken);
    expect((await call(app.url, 'POST', '/auth/logout', { token: alice.accessToken })).status).toBe(204);
    const loggedOutAt = performance.now();
    expect(await socket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
    expect((await socket.closed).at - loggedOutAt).toBeLessThan(1000);

    const { cookie, csrf } = await cookieLogin(app.url, 'bob');
    const cookieSocket = await openSocket(url, { cookie, origin: app.url });
    expect(await cookieSocket.next()).toMatchObject({ type: 'hello' });
    const reply = await call(app.url, 'POST', '/auth/cookie/logout', {
      headers: { cookie, 'x-csrf-token': csrf, origin: app.url },
    });
    expect(reply.status).toBe(204);
    expect(await cookieSocket.closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
  });

  it('refuses a frame over 64 KiB (1009)', async () => {
    const { accessToken } = await login(app.url, 'alice');
    const socket = await authenticatedSocket(app.url, accessToken);
    socket.send('x'.repeat(64 * 1024 + 1));
    expect((await socket.closed).code).toBe(1009);
  });

  it('upgrades nothing but GET /ws: elsewhere the answer is the HTTP one, in the contract shape', async () => {
    const at = (path: string) => `${app.url.replace(/^http/, 'ws')}${path}`;
    for (const path of ['/nope', '/ws/', '/WS']) {
      expect(await refusedUpgrade(at(path))).toEqual({
        status: 404,
        body: { statusCode: 404, code: 'not_found', error: 'Not Found', message: 'No such route' },
      });
    }
    expect(await refusedUpgrade(at('/me'))).toMatchObject({ status: 401, body: { code: 'token_missing' } });
  });
});
