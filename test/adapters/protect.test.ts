import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createAuth } from 'authjwt';
import { authjwtExpress } from 'authjwt/express';
import { authjwtFastify } from 'authjwt/fastify';
import { authjwtHono, type OptionalAuthEnv } from 'authjwt/hono';
import { openPathTest } from 'authjwt/http';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressVersions } from './express-versions.js';

/*
 * Issue 13, point 2: protect everything with exclusions, on every adapter. The open paths are
 * `/health` and everything under `/public/`; every other path needs a valid access token, including
 * paths whose text says `/public/` but which a router could resolve elsewhere.
 */

const auth = createAuth({ signingKey: { alg: 'HS256', key: 'protect-test-secret-0123456789abcdef' } });
const except = ['/health', '/public/*'];
const apps: { name: string; url: string; close(): Promise<void> }[] = [];

async function listening(server: Server) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  const fastify = Fastify();
  await fastify.register(authjwtFastify, { auth });
  fastify.addHook('onRequest', fastify.authjwt.protect({ except }));
  for (const path of ['/health', '/public/page', '/private']) {
    fastify.get(path, async (request) => ({ subject: request.auth?.subject ?? null }));
  }
  apps.push({
    name: 'Fastify',
    url: await fastify.listen({ host: '127.0.0.1', port: 0 }),
    close: () => fastify.close(),
  });

  for (const [name, createApp] of expressVersions) {
    const app = createApp();
    const authjwt = authjwtExpress({ auth });
    app.use(authjwt.protect({ except }));
    for (const path of ['/health', '/public/page', '/private']) {
      app.get(path, (request, response) => {
        response.json({ subject: request.auth?.subject ?? null });
      });
    }
    apps.push({ name, ...(await listening(createServer(app))) });
  }

  // Variables typed for the whole app: protect() runs before every route.
  const hono = new Hono<OptionalAuthEnv>();
  const honoAuth = authjwtHono({ auth });
  hono.use(honoAuth.protect({ except }));
  for (const path of ['/health', '/public/page', '/private']) {
    hono.get(path, (c) => c.json({ subject: c.var.auth?.subject ?? null }));
  }
  const honoServer = await new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const server = serve({ fetch: hono.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
  apps.push({ name: 'Hono', ...honoServer });
});
afterAll(async () => {
  for (const app of apps) await app.close();
});

/** A GET with the path sent as written (fetch would resolve dot segments first). */
function rawGet(base: string, path: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(base);
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('protect everything with exclusions', () => {
  it('on every adapter: open paths pass without a token, every other path needs one', async () => {
    const pair = await auth.login({ subject: 'alice' });
    for (const app of apps) {
      const statuses = {
        health: await rawGet(app.url, '/health'),
        healthQuery: await rawGet(app.url, '/health?probe=1'),
        publicPage: await rawGet(app.url, '/public/page'),
        privateNoToken: await rawGet(app.url, '/private'),
        privateToken: await rawGet(app.url, '/private', pair.accessToken),
        dotSegments: await rawGet(app.url, '/public/../private'),
        encodedDots: await rawGet(app.url, '/public/%2e%2e/private'),
        doubleSlash: await rawGet(app.url, '/public//../private'),
      };
      expect([app.name, statuses]).toEqual([
        app.name,
        {
          health: 200,
          healthQuery: 200,
          publicPage: 200,
          privateNoToken: 401,
          privateToken: 200,
          dotSegments: expect.any(Number),
          encodedDots: 401,
          doubleSlash: expect.any(Number),
        },
      ]);
      // Whatever a router makes of `/public/../private` (Hono resolves it as a URL does; the others
      // leave the text as it is), it is never served without a token.
      expect(statuses.dotSegments, app.name).not.toBe(200);
      expect(statuses.doubleSlash, app.name).not.toBe(200);
    }
  });

  it('refuses a malformed except list at construction', () => {
    expect(() => openPathTest(['health'], 'protect.except')).toThrow(/protect\.except/);
    expect(() => openPathTest('/health' as never, 'protect.except')).toThrow(/protect\.except/);
    const open = openPathTest(['/health', '/public/*', /^\/assets\/[\w.-]+\.css$/], 'protect.except');
    expect([
      open('/health'),
      open('/healthz'),
      open('/public/'),
      open('/publicity'),
      open('/assets/a.css'),
    ]).toEqual([true, false, true, false, true]);
  });
});
