import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { describeOneService } from './one-service.js';
import { call, type RunningApp, startApp, waitUntilHealthy } from './start-app.js';

/*
 * Issue 13, point 4, on Redis: an instance on Express and one on Hono with the same Redis and keys are
 * one service, as two on Fastify are (redis-http.test.ts): sessions, revocations, the WebSocket close
 * and the user directory hold across them, whichever framework made or ends the session.
 */

let redis: RedisServer;
let express: RunningApp;
let hono: RunningApp;

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { JWT_SECRET: 'frameworks-redis-test-secret-0123456789abcdef', REDIS_URL: `${redis.url}/0` };
  [express, hono] = await Promise.all([
    startApp({ ...env, APP_FRAMEWORK: 'express' }),
    startApp({ ...env, APP_FRAMEWORK: 'hono' }),
  ]);
  await waitUntilHealthy(express.url);
  await waitUntilHealthy(hono.url);
});
afterAll(async () => {
  await express?.close();
  await hono?.close();
  await redis?.stop();
});

describe('Express and Hono on Redis', () => {
  it('report the Redis store and their framework in /healthz', async () => {
    for (const app of [express, hono]) {
      expect((await call(app.url, 'GET', '/healthz')).body).toEqual({
        status: 'ok',
        store: 'redis',
        framework: app.framework,
      });
    }
  });
});

describeOneService(
  'an Express instance (A) and a Hono one (B) are one service',
  () => [express, hono],
  () => redis.flush(),
);
describeOneService(
  'a Hono instance (A) and an Express one (B) are one service',
  () => [hono, express],
  () => redis.flush(),
);
