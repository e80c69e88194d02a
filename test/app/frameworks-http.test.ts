import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Framework, frameworks, type RunningApp, startApp } from './start-app.js';

/*
 * Issue 13, point 4: the reference app keeps one contract on Fastify, Express and Hono. The same raw
 * requests, hostile ones first (bodies of every type and size, broken JSON, paths Fastify's router
 * takes its own way, methods no route has), go to the app on each framework, and every answer on
 * Express and Hono must equal Fastify's: status, body, and the headers clients read. Only the OpenAPI
 * document and its UI are Fastify's alone.
 */

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent with the access token of a fresh login of this user (for the refusals behind the guards). */
  as?: 'alice' | 'admin';
}

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

const json = { 'content-type': 'application/json' };
const credentials = '{"username":"alice","password":"wrong-password"}';
const tooLarge = JSON.stringify({ username: 'a', password: 'x'.repeat(17 * 1024) });

const probes: Record<string, Probe> = {
  'login without a body': { method: 'POST', path: '/auth/login', headers: json },
  'login without a body or type': { method: 'POST', path: '/auth/login' },
  'login, malformed JSON': { method: 'POST', path: '/auth/login', headers: json, body: '{"username":' },
  'login, whitespace for JSON': { method: 'POST', path: '/auth/login', headers: json, body: '  ' },
  'login, text/plain': {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'text/plain' },
    body: credentials,
  },
  'login, a form': {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=alice&password=x',
  },
  'login, a body without a type': { method: 'POST', path: '/auth/login', body: credentials },
  'login, JSON of another type': {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/vnd.api+json' },
    body: credentials,
  },
  'login, a type that does not parse': {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json/x' },
    body: credentials,
  },
  'login, JSON in capitals with a charset': {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': ' APPLICATION/JSON ; charset=utf-16' },
    body: credentials,
  },
  'login, over 16 KiB': { method: 'POST', path: '/auth/login', headers: json, body: tooLarge },
  'login, over 16 KiB chunked': {
    method: 'POST',
    path: '/auth/login',
    headers: { ...json, 'transfer-encoding': 'chunked' },
    body: tooLarge,
  },
  'login, __proto__': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: '{"username":"a","password":"b","x":[{"\\u005f_proto__":{}}]}',
  },
  'login, constructor.prototype': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: '{"username":"a","password":"b","constructor":{"prototype":{}}}',
  },
  'login, a BOM and an extra field': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: '\ufeff{"username":"alice","password":"wrong-password","extra":1}',
  },
  'login, null': { method: 'POST', path: '/auth/login', headers: json, body: 'null' },
  'login, an array': { method: 'POST', path: '/auth/login', headers: json, body: '["alice","x"]' },
  'login, a missing field': { method: 'POST', path: '/auth/login', headers: json, body: '{"username":"a"}' },
  'login, a number for a name': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: '{"username":1,"password":"x"}',
  },
  'login, an empty name': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: '{"username":"","password":"x"}',
  },
  'login, a 129-character name': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: JSON.stringify({ username: 'a'.repeat(129), password: 'x' }),
  },
  'login, broken UTF-8': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  },
  'login, deeply nested': {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: `${'['.repeat(4000)}${']'.repeat(4000)}`,
  },
  'login by GET': { method: 'GET', path: '/auth/login' },
  'logout without a token, malformed JSON': {
    method: 'POST',
    path: '/auth/logout',
    headers: json,
    body: '{',
  },
  'logout without a token, over 16 KiB': {
    method: 'POST',
    path: '/auth/logout',
    headers: json,
    body: tooLarge,
  },
  'logout, text/xml': {
    method: 'POST',
    path: '/auth/logout',
    headers: { 'content-type': 'text/xml' },
    body: '<a/>',
    as: 'alice',
  },
  'logout, malformed JSON': { method: 'POST', path: '/auth/logout', headers: json, body: '{', as: 'alice' },
  'refresh without a token': { method: 'POST', path: '/auth/refresh' },
  'cookie refresh without a cookie': { method: 'POST', path: '/auth/cookie/refresh' },
  'cookie logout with a bearer token': { method: 'POST', path: '/auth/cookie/logout', as: 'alice' },
  'fresh, a bad type': {
    method: 'POST',
    path: '/auth/fresh',
    headers: { 'content-type': 'text/html' },
    body: 'x',
  },
  'password, no body': { method: 'POST', path: '/account/password', headers: json, body: '{}', as: 'alice' },
  'password, too short': {
    method: 'POST',
    path: '/account/password',
    headers: json,
    body: '{"new_password":"short"}',
    as: 'alice',
  },
  'password, no token': { method: 'POST', path: '/account/password', headers: json, body: '{' },
  me: { method: 'GET', path: '/me' },
  'me with a token, by HEAD': { method: 'HEAD', path: '/me?access_token=x', as: 'alice' },
  'me by HEAD': { method: 'HEAD', path: '/me' },
  'me by OPTIONS': { method: 'OPTIONS', path: '/me' },
  'me by POST': { method: 'POST', path: '/me' },
  'me with a forged token': { method: 'GET', path: '/me', headers: { authorization: 'Bearer a.b.c' } },
  'me, a malformed JSON body on GET': { method: 'GET', path: '/me', headers: json, body: '{' },
  '/me/': { method: 'GET', path: '/me/' },
  '/ME': { method: 'GET', path: '/ME' },
  '//me': { method: 'GET', path: '//me' },
  '/m%65': { method: 'GET', path: '/m%65' },
  '/m%2565': { method: 'GET', path: '/m%2565' },
  '/me;x=1': { method: 'GET', path: '/me;x=1' },
  '/x/../me': { method: 'GET', path: '/x/../me' },
  '/x/%2e%2e/me': { method: 'GET', path: '/x/%2e%2e/me' },
  '/./me': { method: 'GET', path: '/./me' },
  '/me/..': { method: 'GET', path: '/me/..' },
  '/m%zz': { method: 'GET', path: '/m%zz' },
  '/me?x=%zz': { method: 'GET', path: '/me?x=%zz' },
  '/me\\x': { method: 'GET', path: '/me\\x' },
  'an absolute URL': { method: 'GET', path: 'http://evil.example/me' },
  'OPTIONS *': { method: 'OPTIONS', path: '*' },
  'a Host that is no host': { method: 'GET', path: '/me', headers: { host: 'a b' } },
  'a Host with credentials': { method: 'GET', path: '/me', headers: { host: 'evil@x:1' } },
  'an unknown route with a token in its query': { method: 'GET', path: '/nope?access_token=abc' },
  'an unknown route, 5000 characters': { method: 'GET', path: `/${'a'.repeat(5000)}` },
  'an unknown route, malformed JSON': { method: 'DELETE', path: '/nope', headers: json, body: '{' },
  'an unknown route, empty JSON': { method: 'POST', path: '/nope', headers: json, body: '' },
  'an unknown route, over 16 KiB': { method: 'POST', path: '/nope', headers: json, body: tooLarge },
  'an unknown route, text/xml': {
    method: 'POST',
    path: '/nope',
    headers: { 'content-type': 'text/xml' },
    body: 'x',
  },
  'an unknown route, a type that does not parse': {
    method: 'POST',
    path: '/nope',
    headers: { 'content-type': 'foo' },
    body: 'x',
  },
  'an unknown route, a body without a type': { method: 'POST', path: '/nope', body: 'x' },
  'sessions/ without a token': { method: 'DELETE', path: '/sessions/' },
  'sessions/': { method: 'DELETE', path: '/sessions/', as: 'alice' },
  'sessions/<65 characters>': { method: 'DELETE', path: `/sessions/${'a'.repeat(65)}`, as: 'alice' },
  'sessions/<101 characters>': { method: 'DELETE', path: `/sessions/${'a'.repeat(101)}`, as: 'alice' },
  'sessions/<unknown>': { method: 'DELETE', path: '/sessions/unknown', as: 'alice' },
  'sessions/%25zz': { method: 'DELETE', path: '/sessions/%25zz', as: 'alice' },
  'sessions/a/b': { method: 'DELETE', path: '/sessions/a/b', as: 'alice' },
  'sessions, a body without a type': { method: 'DELETE', path: '/sessions/x', body: 'x', as: 'alice' },
  'admin stats as a user': { method: 'GET', path: '/admin/stats', as: 'alice' },
  'deactivate, an empty name': { method: 'POST', path: '/admin/users//deactivate', as: 'admin' },
  'deactivate, a 129-character name': {
    method: 'POST',
    path: `/admin/users/${'a'.repeat(129)}/deactivate`,
    as: 'admin',
  },
  'deactivate, an unknown user': { method: 'POST', path: '/admin/users/a%2Fb/deactivate', as: 'admin' },
  'deactivate, a broken escape': { method: 'POST', path: '/admin/users/%E0%A4%A/deactivate' },
  'GET /ws without an upgrade': { method: 'GET', path: '/ws' },
  'HEAD /ws': { method: 'HEAD', path: '/ws' },
  'POST /ws': { method: 'POST', path: '/ws' },
  jwks: { method: 'GET', path: '/.well-known/jwks.json' },
  'the page': { method: 'GET', path: '/' },
  'the page by HEAD': { method: 'HEAD', path: '/' },
  'the script': { method: 'GET', path: '/demo.js' },
  'the style sheet': { method: 'GET', path: '/demo.css' },
  'the icon': { method: 'GET', path: '/favicon.svg' },
  '/index.html': { method: 'GET', path: '/index.html' },
};

/** The headers a client reads; `date`, `keep-alive` and header order are the server's own business. */
const compared = [
  'content-type',
  'content-length',
  'cache-control',
  'www-authenticate',
  'retry-after',
  'connection',
  'set-cookie',
  'content-security-policy',
  'x-content-type-options',
  'referrer-policy',
  'allow',
  'etag',
  'x-powered-by',
];

/** One request on its own connection, exactly as given (no client adds or fixes anything). */
function send(base: string, probe: Probe, token: string | undefined): Promise<Answer> {
  const { hostname, port } = new URL(base);
  const headers: Record<string, string> = { ...probe.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (probe.body !== undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(probe.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: hostname, port, method: probe.method, path: probe.path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const picked: Record<string, string | undefined> = {};
          for (const name of compared) {
            const value = response.headers[name];
            picked[name] = Array.isArray(value) ? value.join('\n') : value;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: picked,
            body: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(probe.body);
  });
}

async function accessToken(base: string, username: string): Promise<string> {
  const reply = await call(base, 'POST', '/auth/login', { body: { username, password: `${username}-pass` } });
  expect(reply.status).toBe(200);
  return reply.body.access_token;
}

const answers = new Map<Framework, Map<string, Answer>>();
const running: RunningApp[] = [];

beforeAll(async () => {
  for (const framework of frameworks) {
    const app = await startApp({
      APP_FRAMEWORK: framework,
      JWT_SECRET: 'frameworks-http-test-secret-0123456789',
    });
    running.push(app);
    const tokens = { alice: await accessToken(app.url, 'alice'), admin: await accessToken(app.url, 'admin') };
    const byName = new Map<string, Answer>();
    for (const [name, probe] of Object.entries(probes)) {
      byName.set(name, await send(app.url, probe, probe.as === undefined ? undefined : tokens[probe.as]));
    }
    answers.set(framework, byName);
  }
}, 60_000);
afterAll(async () => {
  for (const app of running) await app.close();
});

describe('the same request gets the same answer on every framework', () => {
  it('Fastify answers every refusal in the contract shape, never a 500, never echoing the path', () => {
    for (const [name, answer] of answers.get('fastify') ?? []) {
      expect(answer.status, name).toBeLessThan(500);
      if (answer.status < 400 || answer.body === '') continue;
      const body = JSON.parse(answer.body);
      expect(Object.keys(body).sort(), name).toEqual(['code', 'error', 'message', 'statusCode']);
      expect(body.statusCode, name).toBe(answer.status);
      expect(answer.body, name).not.toContain('aaaaaaaaaa');
      expect(answer.body, name).not.toContain('access_token');
    }
  });

  it.each(frameworks.filter((framework) => framework !== 'fastify'))('%s answers as Fastify', (framework) => {
    const fastify = answers.get('fastify') as Map<string, Answer>;
    const other = answers.get(framework) as Map<string, Answer>;
    for (const name of Object.keys(probes)) {
      expect({ probe: name, ...other.get(name) }).toEqual({ probe: name, ...fastify.get(name) });
    }
  });
});

describe.each(frameworks)('what differs by framework, on %s', (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ APP_FRAMEWORK: framework, JWT_SECRET: 'frameworks-http-test-secret-0123456789' });
  });
  afterAll(async () => app?.close());

  it('names itself in /healthz', async () => {
    expect((await call(app.url, 'GET', '/healthz')).body).toEqual({
      status: 'ok',
      store: 'memory',
      framework,
    });
  });

  it('serves the OpenAPI document and its UI on Fastify only; elsewhere they are 404 in the contract shape', async () => {
    for (const path of ['/openapi.json', '/docs']) {
      const reply = await call(app.url, 'GET', path);
      if (framework === 'fastify') {
        expect(reply.status).toBe(200);
      } else {
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({
          statusCode: 404,
          code: 'not_found',
          error: 'Not Found',
          message: 'No such route',
        });
      }
    }
  });
});

describe.each(frameworks)('the app’s own refusals on %s', (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({
      APP_FRAMEWORK: framework,
      JWT_SECRET: 'frameworks-http-test-secret-0123456789',
      LOGIN_MAX_FAILURES: '2',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '0',
    });
  });
  afterAll(async () => app?.close());

  it('503 server_busy with Retry-After: 1 past the hashing limit, 429 too_many_attempts past the throttle', async () => {
    const burst = await Promise.all(
      ['alice', 'bob', 'admin'].map((username) =>
        call(app.url, 'POST', '/auth/login', { body: { username, password: `${username}-pass` } }),
      ),
    );
    const shed = burst.find((reply) => reply.status === 503);
    expect(shed?.body).toEqual({
      statusCode: 503,
      code: 'server_busy',
      error: 'Service Unavailable',
      message: expect.any(String),
    });
    expect(shed?.headers.get('retry-after')).toBe('1');
    for (let n = 0; n < 2; n += 1) {
      await call(app.url, 'POST', '/auth/login', { body: { username: 'bob', password: 'wrong' } });
    }
    const throttled = await call(app.url, 'POST', '/auth/login', {
      body: { username: 'bob', password: 'bob-pass' },
    });
    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('too_many_attempts');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
