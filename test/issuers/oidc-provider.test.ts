import { type AuthContext, createAuth, type ExternalIssuerOptions } from 'authjwt';
import { authjwtExpress } from 'authjwt/express';
import { authjwtFastify } from 'authjwt/fastify';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resource, startProvider, type TestProvider } from '../helpers/oidc-provider.js';

/*
 * Issue 14, points 1 and 2, against a real OpenID provider (oidc-provider) on loopback: its JWT
 * access tokens through the requireExternal guard over real HTTP on Fastify and Express, discovery
 * over plain HTTP (allowHttp), audience, expiry, own tokens kept apart from external ones, and a
 * key rotation at the provider followed through one kid miss.
 */

const secret = 'oidc-provider-test-secret-0123456789abcdef';
let provider: TestProvider;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider.close());

function newAuth(options: { clockOffset?: number; issuer?: Partial<ExternalIssuerOptions> } = {}) {
  return createAuth({
    signingKey: { alg: 'HS256', key: secret },
    clock: () => Date.now() + (options.clockOffset ?? 0),
    externalIssuers: [
      {
        issuer: provider.issuer,
        audience: resource,
        algorithms: ['RS256'],
        allowHttp: true,
        jwks: { cooldown: '200ms' },
        ...options.issuer,
      },
    ],
  });
}

const described = (context: AuthContext | null | undefined) => ({
  subject: context?.subject,
  issuer: context?.issuer,
  tokenType: context?.tokenType,
  scopes: context?.scopes,
  sessionId: context?.sessionId,
});

type App = { url: string; close(): Promise<void> };
type Auth = ReturnType<typeof newAuth>;

async function fastifyApp(auth: Auth): Promise<App> {
  const app = Fastify();
  await app.register(authjwtFastify, { auth });
  const { authjwt } = app;
  const reply = async (request: { auth: AuthContext | null }) => described(request.auth);
  app.get('/external', { onRequest: authjwt.requireExternal() }, reply);
  app.get('/external/write', { onRequest: authjwt.requireExternal({ scopes: ['write:items'] }) }, reply);
  app.get('/me', { onRequest: authjwt.requireAccess() }, reply);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

async function expressApp(auth: Auth): Promise<App> {
  const app = express();
  const authjwt = authjwtExpress({ auth });
  const reply: express.RequestHandler = (request, response) => {
    response.json(described(request.auth));
  };
  app.get('/external', authjwt.requireExternal(), reply);
  app.get('/external/write', authjwt.requireExternal({ scopes: ['write:items'] }), reply);
  app.get('/me', authjwt.requireAccess(), reply);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function get(url: string, token?: string) {
  const response = await fetch(
    url,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe.each([
  ['Fastify', fastifyApp],
  ['Express', expressApp],
])('external tokens from a real OpenID provider, through %s', (_name, start) => {
  async function withApp(auth: Auth, body: (url: string) => Promise<void>) {
    const app = await start(auth);
    try {
      await body(app.url);
    } finally {
      await app.close();
      await auth.close();
    }
  }

  it("admits the provider's JWT access token: discovery, then its keys, once; the context names the issuer and carries the scopes", async () => {
    const token = await provider.accessToken();
    const before = { ...provider.fetches };
    await withApp(newAuth(), async (url) => {
      const first = await get(`${url}/external`, token);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        subject: 'orders-service',
        issuer: provider.issuer,
        tokenType: 'external',
        scopes: ['read:items'],
      });
      for (let i = 0; i < 5; i++) expect((await get(`${url}/external`, token)).status).toBe(200);
      expect(provider.fetches.discovery - before.discovery).toBe(1);
      expect(provider.fetches.jwks - before.jwks).toBe(1);
    });
  });

  it('scopes: requireExternal({ scopes }) refuses a token without one (403 insufficient_scope), admits one with it', async () => {
    const readOnly = await provider.accessToken({ scope: 'read:items' });
    const readWrite = await provider.accessToken({ scope: 'read:items write:items' });
    await withApp(newAuth(), async (url) => {
      const refused = await get(`${url}/external/write`, readOnly);
      expect([refused.status, refused.body.code]).toEqual([403, 'insufficient_scope']);
      expect(refused.challenge).toBe('Bearer error="insufficient_scope"');
      const admitted = await get(`${url}/external/write`, readWrite);
      expect(admitted.status).toBe(200);
      expect(admitted.body.scopes).toEqual(['read:items', 'write:items']);
    });
  });

  it('refuses a token for another audience (401 token_invalid, invalid_token challenge)', async () => {
    const elsewhere = await provider.accessToken({ resource: 'https://billing.example.test' });
    const auth = newAuth();
    await expect(auth.authenticateExternal(elsewhere)).rejects.toMatchObject({ reason: 'aud' });
    await withApp(auth, async (url) => {
      const refused = await get(`${url}/external`, elsewhere);
      expect([refused.status, refused.body.code]).toEqual([401, 'token_invalid']);
      expect(refused.challenge).toContain('error="invalid_token"');
    });
  });

  it('refuses an expired token (401 token_expired)', async () => {
    const token = await provider.accessToken();
    // The provider's tokens live 300 s; this instance's clock is 10 minutes ahead.
    const auth = newAuth({ clockOffset: 600_000 });
    await expect(auth.authenticateExternal(token)).rejects.toMatchObject({ code: 'token_expired' });
    await withApp(auth, async (url) => {
      const refused = await get(`${url}/external`, token);
      expect([refused.status, refused.body.code]).toEqual([401, 'token_expired']);
    });
  });

  it("keeps the two paths apart: the instance's own token is refused by requireExternal, the provider's by requireAccess", async () => {
    const auth = newAuth();
    const own = await auth.login({ subject: 'alice' });
    const external = await provider.accessToken();
    // Decided by iss: the own token names no configured issuer, and no own key verifies the other.
    await expect(auth.authenticateExternal(own.accessToken)).rejects.toMatchObject({
      code: 'token_invalid',
      reason: 'issuer_unknown',
    });
    await expect(auth.authenticate(external)).rejects.toMatchObject({
      code: 'token_invalid',
      reason: 'kid_unknown',
    });
    await withApp(auth, async (url) => {
      expect((await get(`${url}/me`, own.accessToken)).status).toBe(200);
      const ownOnExternal = await get(`${url}/external`, own.accessToken);
      expect([ownOnExternal.status, ownOnExternal.body.code]).toEqual([401, 'token_invalid']);
      const externalOnOwn = await get(`${url}/me`, external);
      expect([externalOnOwn.status, externalOnOwn.body.code]).toEqual([401, 'token_invalid']);
      expect((await get(`${url}/external`, external)).status).toBe(200);
    });
  });
});

describe('key rotation at the provider', () => {
  it('a token signed with a new key is verified after one kid miss; tokens of the old key still pass', async () => {
    const auth = newAuth();
    const app = await fastifyApp(auth);
    try {
      const before = provider.fetches.jwks;
      const old = await provider.accessToken();
      expect((await get(`${app.url}/external`, old)).status).toBe(200);
      const kid = await provider.rotate();
      const rotated = await provider.accessToken();
      expect(JSON.parse(Buffer.from(rotated.split('.')[0] as string, 'base64url').toString()).kid).toBe(kid);
      // Past the cooldown (200 ms) since the first fetch, the unknown kid may fetch once.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await get(`${app.url}/external`, rotated)).body.subject).toBe('orders-service');
      expect((await get(`${app.url}/external`, rotated)).status).toBe(200);
      expect((await get(`${app.url}/external`, old)).status).toBe(200);
      expect(provider.fetches.jwks - before).toBe(2);
    } finally {
      await app.close();
      await auth.close();
    }
  });

  it('within the cooldown a new kid is refused (401 kid_unknown), without a fetch', async () => {
    const auth = newAuth({ issuer: { jwks: { cooldown: '30s' } } });
    await expect(auth.authenticateExternal(await provider.accessToken())).resolves.toMatchObject({
      tokenType: 'external',
    });
    const before = provider.fetches.jwks;
    await provider.rotate();
    const rotated = await provider.accessToken();
    await expect(auth.authenticateExternal(rotated)).rejects.toMatchObject({
      code: 'token_invalid',
      reason: 'kid_unknown',
    });
    expect(provider.fetches.jwks).toBe(before);
    await auth.close();
  });
});
