import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth } from 'authjwt';
import { type AuthjwtFastifyOptions, authjwtFastify } from 'authjwt/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/*
 * The Origin check of cookie-authenticated unsafe requests: scheme, host and port against the
 * request's own origin (Fastify's `request.protocol`/`request.host`, which follow X-Forwarded-* only
 * under `trustProxy`), or against `csrf.allowedOrigins`.
 */

const secret = 'origin-test-secret-0123456789abcdefgh';

let current: FastifyInstance | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function makeApp(
  server: FastifyServerOptions = {},
  plugin: Omit<AuthjwtFastifyOptions, 'auth' | 'cookies'> = {},
) {
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
  const app = Fastify(server);
  current = app;
  await app.register(authjwtFastify, { auth, cookies: true, jwksPath: false, ...plugin });
  app.post('/act', { onRequest: app.authjwt.requireAccess() }, async () => ({ ok: true }));
  const pair = await auth.login({ subject: 'alice', csrf: true });
  /** A cookie-authenticated POST with the right CSRF value and the given request headers. */
  const post = async (headers: Record<string, string>, remoteAddress?: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/act',
      headers: {
        cookie: `__Host-access=${pair.accessToken}`,
        'x-csrf-token': pair.csrfToken as string,
        ...headers,
      },
      ...(remoteAddress !== undefined && { remoteAddress }),
    });
    return { status: response.statusCode, code: response.statusCode === 200 ? 'ok' : response.json().code };
  };
  return { app, post };
}

const allowed = { status: 200, code: 'ok' };
const refused = { status: 403, code: 'csrf_failed' };

describe('Origin check without a trusted proxy', () => {
  it('compares the scheme: an https Origin against a plain http request is refused, and X-Forwarded-Proto is not believed', async () => {
    const { post } = await makeApp();
    expect(await post({ host: 'app.example', origin: 'http://app.example' })).toEqual(allowed);
    expect(await post({ host: 'app.example', origin: 'https://app.example' })).toEqual(refused);
    expect(
      await post({ host: 'app.example', origin: 'https://app.example', 'x-forwarded-proto': 'https' }),
    ).toEqual(refused);
    expect(
      await post({ host: 'app.example', origin: 'http://app.example', 'x-forwarded-proto': 'https' }),
    ).toEqual(allowed);
  });

  it('compares the port, with default ports equal to none', async () => {
    const { post } = await makeApp();
    expect(await post({ host: 'app.example:80', origin: 'http://app.example' })).toEqual(allowed);
    expect(await post({ host: 'app.example', origin: 'http://app.example:80' })).toEqual(allowed);
    expect(await post({ host: 'APP.example:3000', origin: 'http://app.EXAMPLE:3000' })).toEqual(allowed);
    expect(await post({ host: 'app.example:3000', origin: 'http://app.example:3001' })).toEqual(refused);
    expect(await post({ host: 'app.example', origin: 'http://app.example:8080' })).toEqual(refused);
  });

  it('keeps `null` refused, an absent Origin allowed, and Sec-Fetch-Site cross-site refused', async () => {
    const { post } = await makeApp();
    expect(await post({ host: 'app.example', origin: 'null' })).toEqual(refused);
    expect(await post({ host: 'app.example' })).toEqual(allowed);
    expect(await post({ host: 'app.example', 'sec-fetch-site': 'cross-site' })).toEqual(refused);
    expect(await post({ host: 'app.example', origin: 'http://evil.example' })).toEqual(refused);
  });

  it('matches csrf.allowedOrigins by scheme, host and port', async () => {
    const { post } = await makeApp({}, { csrf: { allowedOrigins: ['https://front.example'] } });
    expect(await post({ host: 'api.example', origin: 'https://front.example' })).toEqual(allowed);
    expect(await post({ host: 'api.example', origin: 'https://front.example:443' })).toEqual(allowed);
    expect(await post({ host: 'api.example', origin: 'http://front.example' })).toEqual(refused);
    expect(await post({ host: 'api.example', origin: 'https://front.example:8443' })).toEqual(refused);
  });
});

describe('Origin check behind a trusted proxy (trustProxy)', () => {
  it('takes the scheme from X-Forwarded-Proto: https Origin allowed, http Origin refused', async () => {
    const { post } = await makeApp({ trustProxy: true });
    const forwarded = { host: 'app.example', 'x-forwarded-proto': 'https' };
    expect(await post({ ...forwarded, origin: 'https://app.example' })).toEqual(allowed);
    expect(await post({ ...forwarded, origin: 'https://app.example:443' })).toEqual(allowed);
    expect(await post({ ...forwarded, origin: 'http://app.example' })).toEqual(refused);
    expect(
      await post({ host: 'app.example:443', 'x-forwarded-proto': 'https', origin: 'https://app.example' }),
    ).toEqual(allowed);
  });

  it('takes the host from X-Forwarded-Host', async () => {
    const { post } = await makeApp({ trustProxy: true });
    const headers = {
      host: 'internal:3000',
      'x-forwarded-host': 'app.example',
      'x-forwarded-proto': 'https',
    };
    expect(await post({ ...headers, origin: 'https://app.example' })).toEqual(allowed);
    expect(await post({ ...headers, origin: 'http://internal:3000' })).toEqual(refused);
  });

  it('believes X-Forwarded-Proto only from the proxies trustProxy names', async () => {
    const { post } = await makeApp({ trustProxy: '10.0.0.1' });
    const headers = { host: 'app.example', 'x-forwarded-proto': 'https', origin: 'https://app.example' };
    expect(await post(headers, '10.0.0.1')).toEqual(allowed);
    expect(await post(headers, '10.0.0.2')).toEqual(refused);
  });

  it('treats an unusable forwarded scheme as no own origin (only allowed origins pass), never a 500', async () => {
    const { post } = await makeApp({ trustProxy: true });
    for (const proto of ['ftp', 'javascript', '', 'https://evil']) {
      const response = await post({
        host: 'app.example',
        'x-forwarded-proto': proto,
        origin: 'https://app.example',
      });
      expect(response, proto).toEqual(refused);
    }
  });
});

describe('Origin check on a real TLS server', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'authjwt-origin-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an http Origin of the same host and port against an https request', async () => {
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
    const app = Fastify({ https: tls });
    current = app;
    await app.register(authjwtFastify, { auth, cookies: true, jwksPath: false });
    app.post('/act', { onRequest: app.authjwt.requireAccess() }, async () => ({ ok: true }));
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const pair = await auth.login({ subject: 'alice', csrf: true });
    const post = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpsRequest(`${base}/act`, {
          method: 'POST',
          ca: tls.cert,
          headers: {
            cookie: `__Host-access=${pair.accessToken}`,
            'x-csrf-token': pair.csrfToken as string,
            origin,
          },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await post(base)).toBe(200);
    expect(await post(base.replace(/^https:/, 'http:'))).toBe(403);
  });
});
