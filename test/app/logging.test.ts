/**
 * Issue 11, point 7: no log line, at any level, carries a token, a CSRF value, a password, the HMAC
 * secret or a session id. The real app runs as its own process (as `npm start`), is driven over real
 * HTTP through every path where a secret travels (body, query string, path, header, cookie), and
 * everything it printed is searched for every secret it was given or handed out.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createAuthErrorHandler } from 'authjwt/fastify';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appLoggerOptions, maskPath } from '../../app/logging.js';
import { spawnApp } from './process.js';
import { call } from './start-app.js';

interface Secret {
  /** What it is, for the failure message; the value itself is never printed. */
  name: string;
  value: string;
}

const signatureOf = (token: string) => token.split('.')[2] ?? '';

function cookiesOf(headers: Headers): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    cookies[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return cookies;
}

const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

/**
 * The log as text, plus the text of every byte array in it: pino writes a Buffer as
 * `{"type":"Buffer","data":[71,69,84,...]}`, where a plain text search would miss a token.
 */
function searchable(log: string): string {
  const decoded: string[] = [];
  for (const match of log.matchAll(/"type":"Buffer","data":\[([\d,]*)\]/g)) {
    decoded.push(Buffer.from((match[1] ?? '').split(',').map(Number)).toString('latin1'));
  }
  return [log, ...decoded].join('\n');
}

/** A request Node's HTTP parser refuses (a space in a header name), sent with a bearer token. */
function sendMalformedRequest(url: string, token: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nBad Header: 1\r\n\r\n`);
    });
    socket.on('data', () => {});
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/**
 * Every way the contract lets a secret reach the app, once each, plus the refusals that make
 * frameworks log more than usual (404, 400, 401, a parser error). Returns every secret involved.
 */
async function exerciseEverySecretPath(url: string, jwtSecret: string): Promise<Secret[]> {
  const secrets: Secret[] = [{ name: 'JWT_SECRET', value: jwtSecret }];
  const keep = (name: string, value: unknown) => {
    expect(typeof value === 'string' && value.length >= 8, `${name} is a real value`).toBe(true);
    secrets.push({ name, value: value as string });
    if (name.endsWith('token'))
      secrets.push({ name: `${name} signature`, value: signatureOf(value as string) });
  };
  keep('alice password', 'alice-pass');
  keep('bob password', 'bob-pass');
  keep('a wrong password', 'wrong-password-for-alice');

  const login = await call(url, 'POST', '/auth/login', {
    body: { username: 'alice', password: 'alice-pass' },
  });
  expect(login.status).toBe(200);
  const access: string = login.body.access_token;
  keep('login access token', access);
  keep('login refresh token', login.body.refresh_token);
  expect(
    (
      await call(url, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'wrong-password-for-alice' },
      })
    ).status,
  ).toBe(401);
  // A body the JSON parser chokes on, with the password in it.
  const broken = await call(url, 'POST', '/auth/login', {
    body: '{"username":"alice","password":"alice-pass"',
  });
  expect(broken.status).toBe(400);

  // The token where no token belongs: the query string, and a path that does not exist.
  await call(url, 'GET', `/me?access_token=${access}`);
  expect((await call(url, 'GET', `/no-such-route/${access}?access_token=${access}`)).status).toBe(404);

  const me = await call(url, 'GET', '/me', { token: access });
  expect(me.status).toBe(200);
  keep('session id', me.body.session_id);

  // A second session of alice, ended by id from the first: the id travels in the path.
  const laptop = await call(url, 'POST', '/auth/login', {
    body: { username: 'alice', password: 'alice-pass' },
  });
  keep('second access token', laptop.body.access_token);
  keep('second refresh token', laptop.body.refresh_token);
  const laptopId: string = (await call(url, 'GET', '/me', { token: laptop.body.access_token })).body
    .session_id;
  keep('second session id', laptopId);
  expect((await call(url, 'DELETE', `/sessions/${laptopId}`, { token: access })).status).toBe(204);
  expect((await call(url, 'DELETE', `/sessions/${laptopId}`, { token: access })).status).toBe(404);

  // A password change carries the new password in the body (the login token is fresh).
  keep('new password', 'alice-new-password-42');
  const change = await call(url, 'POST', '/account/password', {
    token: access,
    body: { new_password: 'alice-new-password-42' },
  });
  expect(change.status).toBe(204);

  // Rotation, then a replay of the spent refresh token (theft detection ends the session).
  const refreshed = await call(url, 'POST', '/auth/refresh', { token: login.body.refresh_token });
  expect(refreshed.status).toBe(200);
  keep('rotated access token', refreshed.body.access_token);
  keep('rotated refresh token', refreshed.body.refresh_token);
  const replay = await call(url, 'POST', '/auth/refresh', { token: login.body.refresh_token });
  expect(replay.body.code).toBe('refresh_token_reused');

  // Malformed and forged tokens: refused, and still not logged.
  const [header, payload] = access.split('.');
  const forged = `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
  keep('forged token', forged);
  expect((await call(url, 'GET', '/me', { token: forged })).body.code).toBe('token_invalid');
  const garbage = `not-a-jwt-${randomBytes(12).toString('base64url')}`;
  keep('garbage bearer value', garbage);
  expect((await call(url, 'GET', '/me', { token: garbage })).body.code).toBe('token_invalid');

  // Cookie mode: tokens in cookies, the CSRF value in a header.
  const cookieLogin = await call(url, 'POST', '/auth/cookie/login', {
    body: { username: 'bob', password: 'bob-pass' },
  });
  expect(cookieLogin.status).toBe(204);
  const jar = cookiesOf(cookieLogin.headers);
  keep('cookie access token', jar['__Host-access']);
  keep('cookie refresh token', jar['__Host-refresh']);
  keep('CSRF value', jar['__Host-csrf']);
  const csrfHeaders = { cookie: cookieHeader(jar), 'x-csrf-token': jar['__Host-csrf'] as string };
  expect((await call(url, 'GET', '/me', { headers: { cookie: cookieHeader(jar) } })).status).toBe(200);
  const cookieRefresh = await call(url, 'POST', '/auth/cookie/refresh', { headers: csrfHeaders });
  expect(cookieRefresh.status).toBe(204);
  const rotated = cookiesOf(cookieRefresh.headers);
  keep('rotated cookie access token', rotated['__Host-access']);
  keep('rotated cookie refresh token', rotated['__Host-refresh']);
  keep('rotated CSRF value', rotated['__Host-csrf']);
  const wrongCsrf = `wrong-csrf-${randomBytes(8).toString('base64url')}`;
  keep('a wrong CSRF value', wrongCsrf);
  const refused = await call(url, 'POST', '/auth/cookie/logout', {
    headers: { cookie: cookieHeader(rotated), 'x-csrf-token': wrongCsrf },
  });
  expect(refused.body.code).toBe('csrf_failed');
  const logout = await call(url, 'POST', '/auth/cookie/logout', {
    headers: { cookie: cookieHeader(rotated), 'x-csrf-token': rotated['__Host-csrf'] as string },
  });
  expect(logout.status).toBe(204);

  // Node's parser refuses this request; Fastify logs the parser error (with the raw bytes) at trace.
  await sendMalformedRequest(url, access);
  return secrets;
}

// Every level on Fastify; the most talkative on Express and Hono, whose request lines the app writes itself.
describe.each([
  ['fastify', 'trace'],
  ['fastify', 'info'],
  ['express', 'trace'],
  ['hono', 'trace'],
])('%s, LOG_LEVEL=%s: no secret in any log line', (framework, level) => {
  it('logs every request, and no token, signature, CSRF value, password, secret or session id', async () => {
    const jwtSecret = randomBytes(48).toString('base64url');
    const app = await spawnApp({
      APP_FRAMEWORK: framework,
      LOG_LEVEL: level,
      JWT_SECRET: jwtSecret,
      REFRESH_REUSE_GRACE: '0',
    });
    let secrets: Secret[];
    try {
      secrets = await exerciseEverySecretPath(app.url, jwtSecret);
    } finally {
      await app.stop();
    }
    const log = app.output();
    const incoming = log.split('\n').filter((line) => line.includes('"msg":"incoming request"'));
    // The log really recorded the traffic, so an empty or silenced log cannot pass.
    expect(incoming.length).toBeGreaterThanOrEqual(20);

    const text = searchable(log);
    const leaked = secrets.filter(({ value }) => text.includes(value)).map(({ name }) => name);
    expect(leaked).toEqual([]);

    // The audit log (issue 15.1): one line per session event, with who, why and from where, and
    // (checked above with everything else) no token or session id.
    const audit = log
      .split('\n')
      .filter((line) => line.includes('"audit":'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(new Set(audit.map((line) => line.audit))).toEqual(
      new Set(['login', 'refresh', 'reuse-detected', 'revoke']),
    );
    const revokeReasons = audit.filter((line) => line.audit === 'revoke').map((line) => line.reason);
    expect(new Set(revokeReasons)).toEqual(new Set(['revoked', 'logout-others', 'reuse', 'logout']));
    const reuse = audit.find((line) => line.audit === 'reuse-detected');
    expect([typeof reuse?.userId, reuse?.ip, typeof reuse?.userAgent]).toEqual([
      'string',
      '127.0.0.1',
      'string',
    ]);
    expect(audit.every((line) => line.sessionId === undefined)).toBe(true);

    // Requests are logged by their route, so the masked lines still say what was asked.
    expect(incoming.some((line) => line.includes('"url":"/sessions/:id"'))).toBe(true);
    expect(incoming.some((line) => line.includes('"url":"/me"'))).toBe(true);
    if (level === 'trace') expect(log.includes('"msg":"client error"')).toBe(true);
  });
});

describe('the app logger options, on a bare Fastify', () => {
  async function loggedBy(routes: (app: FastifyInstance) => void, request: InjectOptions) {
    const lines: string[] = [];
    const app = Fastify({
      logger: { ...appLoggerOptions('trace'), stream: { write: (line) => lines.push(line) } },
    });
    app.setErrorHandler(createAuthErrorHandler());
    routes(app);
    const reply = await app.inject(request);
    await app.close();
    return { reply, log: lines.join('') };
  }
  const token = `${'e'.repeat(20)}.${'p'.repeat(40)}.${randomBytes(32).toString('base64url')}`;

  it('a 500 logs the error type and message, not its other properties nor a token quoted in it', async () => {
    const { reply, log } = await loggedBy(
      (app) =>
        app.get('/boom', async () => {
          throw Object.assign(new Error(`upstream refused ${token}`), {
            rawPacket: Buffer.from(`Authorization: Bearer ${token}`),
            config: { password: 'hunter2-hunter2' },
          });
        }),
      { method: 'GET', url: '/boom' },
    );
    expect(reply.statusCode).toBe(500);
    expect(log).toContain('"msg":"unhandled error"');
    expect(log).toContain('upstream refused [token]');
    expect(log).not.toContain(signatureOf(token));
    expect(log).not.toContain('rawPacket');
    expect(log).not.toContain('hunter2');
  });

  it('headers and bodies logged by hand lose their secrets; a URL quoted in a message loses its query', async () => {
    const { log } = await loggedBy(
      (app) =>
        app.post('/hand', async (request) => {
          request.log.info({ headers: request.headers, body: request.body }, 'by hand');
          request.log.warn(`odd request to ${request.raw.url}`);
          return {};
        }),
      {
        method: 'POST',
        url: '/hand?code=one-time-code-123',
        headers: {
          authorization: 'Bearer opaque-bearer-456',
          cookie: 'sid=cookie-789',
          'x-csrf-token': 'csrf-012',
        },
        payload: { username: 'alice', password: 'pass-345', refresh_token: 'refresh-678' },
      },
    );
    expect(log).toContain('"msg":"by hand"');
    expect(log).toContain('"username":"alice"');
    expect(log).toContain('odd request to /hand?[query]');
    for (const secret of [
      'one-time-code-123',
      'opaque-bearer-456',
      'cookie-789',
      'csrf-012',
      'pass-345',
      'refresh-678',
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('an unmatched path keeps its short segments and masks the long ones', () => {
    expect(maskPath('/sessions/XNvQNdBwmP0_jJbDj6elng?x=1#y')).toBe('/sessions/:masked');
    expect(maskPath(`/me/${token}`)).toBe('/me/:masked');
    expect(maskPath('/auth/logout-others')).toBe('/auth/logout-others');
  });
});
