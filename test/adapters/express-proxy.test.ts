import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuth } from 'authjwt';
import { authjwtExpress } from 'authjwt/express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expressVersions } from './express-versions.js';

/*
 * The Origin check of cookie-authenticated unsafe requests on Express 5 and Express 4: the request's
 * own origin is its scheme, host and port, taken from X-Forwarded-Proto/-Host only when the app's
 * `trust proxy` trusts the peer, as Express decides (Express 4's own `req.host` drops the port).
 */

const auth = createAuth({ signingKey: { alg: 'HS256', key: 'express-proxy-test-secret-0123456789ab' } });
const allowed = { status: 200, code: 'ok' };
const refused = { status: 403, code: 'csrf_failed' };
const forwarded = { 'x-forwarded-host': 'app.example, proxy.internal', 'x-forwarded-proto': 'https' };

const deprecations: string[] = [];
const onDeprecation = (error: Error) => deprecations.push(error.message);
// Express reports deprecated calls as this event when someone listens (else on stderr).
beforeAll(() => process.on('deprecation', onDeprecation));
afterAll(() => process.off('deprecation', onDeprecation));

let server: Server | undefined;
afterEach(async () => {
  const open = server;
  server = undefined;
  if (open === undefined) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

describe.each(expressVersions)('%s', (_name, createApp) => {
  async function serve(trustProxy: string | undefined) {
    const app = createApp();
    if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
    const authjwt = authjwtExpress({ auth, cookies: true });
    app.post('/act', authjwt.requireAccess(), (_request, response) => {
      response.json({ ok: true });
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pair = await auth.login({ subject: 'alice', csrf: true });
    /** A cookie-authenticated POST with the right CSRF value and the given request headers. */
    const post = async (headers: Record<string, string>) => {
      const response = await fetch(`${own}/act`, {
        method: 'POST',
        headers: {
          cookie: `__Host-access=${pair.accessToken}`,
          'x-csrf-token': pair.csrfToken as string,
          ...headers,
        },
      });
      const body = (await response.json()) as { code?: string };
      return { status: response.status, code: response.status === 200 ? 'ok' : body.code };
    };
    return { own, post };
  }

  it('without a trusted proxy: its own origin is the Host header with its port; X-Forwarded-* are not believed', async () => {
    const { own, post } = await serve(undefined);
    expect(await post({ origin: own })).toEqual(allowed);
    expect(await post({ origin: 'http://127.0.0.1' })).toEqual(refused);
    expect(await post({ ...forwarded, origin: 'https://app.example' })).toEqual(refused);
    expect(await post({ ...forwarded, origin: own })).toEqual(allowed);
  });

  it('behind a proxy it trusts: the first X-Forwarded-Host and the X-Forwarded-Proto', async () => {
    const { own, post } = await serve('loopback');
    expect(await post({ ...forwarded, origin: 'https://app.example' })).toEqual(allowed);
    expect(await post({ ...forwarded, origin: own })).toEqual(refused);
    expect(await post({ origin: own })).toEqual(allowed);
  });

  it('behind a proxy it does not trust: as without one', async () => {
    const { own, post } = await serve('10.0.0.1');
    expect(await post({ ...forwarded, origin: 'https://app.example' })).toEqual(refused);
    expect(await post({ ...forwarded, origin: own })).toEqual(allowed);
  });

  it('calls nothing Express deprecates', () => {
    expect(deprecations).toEqual([]);
  });
});
