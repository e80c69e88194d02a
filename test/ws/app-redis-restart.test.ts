import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, type RunningApp, startApp } from '../app/start-app.js';
import { type RedisServer, startRedisServer, waitFor } from '../helpers/redis-server.js';
import { authenticatedSocket, login, openSocket, wsUrl } from './client.js';

/*
 * Redis crashes (SIGKILL) and comes back empty while a socket is open: revocation events may have been
 * missed, so once the subscription is back ('up') the socket's session is checked again, and, since
 * it is gone, the socket is closed with 4401. While Redis is away, a new socket cannot authenticate
 * (fail closed: 1013, never a pass).
 */

let redis: RedisServer;
let app: RunningApp;

beforeAll(async () => {
  redis = await startRedisServer();
  app = await startApp({
    JWT_SECRET: 'ws-restart-test-secret-0123456789abcdef',
    REDIS_URL: `${redis.url}/0`,
  });
  await waitFor(async () => (await call(app.url, 'GET', '/healthz')).status === 200);
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

it('closes an open socket with 4401 after Redis restarts without its sessions; refuses new ones (1013) meanwhile', async () => {
  const alice = await login(app.url, 'alice');
  const socket = await authenticatedSocket(app.url, alice.accessToken);

  await redis.stop();
  await waitFor(async () => (await call(app.url, 'GET', '/healthz')).status === 503);
  const during = await openSocket(wsUrl(app.url));
  during.send({ type: 'auth', access_token: alice.accessToken });
  expect(await during.closed).toMatchObject({ code: 1013, reason: 'store_unavailable' });
  await sleep(200);
  expect(socket.isOpen()).toBe(true);

  const restartedAt = performance.now();
  await redis.start();
  const closed = await socket.closed;
  expect(closed).toMatchObject({ code: 4401, reason: 'token_revoked' });
  console.log(`ws: closed ${(closed.at - restartedAt).toFixed(0)} ms after Redis came back empty`);
  expect(closed.at - restartedAt).toBeLessThan(5000);
});
