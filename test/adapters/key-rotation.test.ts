/**
 * Own keys rotated at runtime, over real HTTP through the Fastify adapter: the JWKS follows each
 * change with its caching header, tokens of a key still published keep working, and a retired key's
 * tokens are refused at once, even one the verified-token cache already holds.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAuth } from 'authjwt';
import { authjwtFastify, createAuthErrorHandler } from 'authjwt/fastify';
import { createHttpAuth } from 'authjwt/http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start() {
  const auth = createAuth({ signingKey: { alg: 'ES256', key: ecKey(), kid: 'k1' }, accessTtl: 600 });
  app = Fastify();
  app.setErrorHandler(createAuthErrorHandler());
  await app.register(authjwtFastify, { auth, jwksMaxAge: 120 });
  app.get('/private', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
    sub: request.auth?.subject,
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const get = (token: string) =>
    fetch(`${base}/private`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { sub?: string; code?: string },
    }));
  const jwks = async () => {
    const response = await fetch(`${base}/.well-known/jwks.json`);
    const body = (await response.json()) as { keys: { kid: string }[] };
    return { cacheControl: response.headers.get('cache-control'), kids: body.keys.map((key) => key.kid) };
  };
  const token = async (subject: string) => (await auth.login({ subject })).accessToken;
  return { auth, get, jwks, token };
}

describe('own key rotation over HTTP (Fastify)', () => {
  it('publishes first, signs later, and refuses the retired key’s tokens, cached ones included', async () => {
    const { auth, get, jwks, token } = await start();
    const old = await token('alice');
    expect(await get(old)).toEqual({ status: 200, body: { sub: 'alice' } }); // now in the verified cache
    expect(await jwks()).toEqual({ cacheControl: 'public, max-age=120', kids: ['k1'] });

    auth.tokens.keys.add({ alg: 'ES256', key: ecKey(), kid: 'k2' });
    expect(await jwks()).toEqual({ cacheControl: 'public, max-age=120', kids: ['k1', 'k2'] });
    auth.tokens.keys.useForSigning('k2');
    const fresh = await token('bob');
    expect(JSON.parse(Buffer.from(fresh.split('.')[0] as string, 'base64url').toString()).kid).toBe('k2');
    expect(await get(old)).toEqual({ status: 200, body: { sub: 'alice' } });
    expect(await get(fresh)).toEqual({ status: 200, body: { sub: 'bob' } });
    expect((await jwks()).kids).toEqual(['k2', 'k1']);

    auth.tokens.keys.retire('k1');
    const refused = await get(old);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('token_invalid');
    expect(await get(fresh)).toEqual({ status: 200, body: { sub: 'bob' } });
    expect(await jwks()).toEqual({ cacheControl: 'public, max-age=120', kids: ['k2'] });
  });

  it('serves concurrent requests through the switch: every token of a published key passes', async () => {
    const { auth, get, token } = await start();
    const before = await Promise.all(['a', 'b', 'c'].map(token));
    auth.tokens.keys.add({ alg: 'ES256', key: ecKey(), kid: 'k2' });
    const inFlight = Array.from({ length: 60 }, (_, index) => get(before[index % 3] as string));
    const issued = Array.from({ length: 20 }, (_, index) => token(`u${index}`));
    auth.tokens.keys.useForSigning('k2');
    const after = await Promise.all(Array.from({ length: 20 }, (_, index) => token(`v${index}`)));
    const results = await Promise.all([
      ...inFlight,
      ...(await Promise.all(issued)).map(get),
      ...after.map(get),
      ...before.map(get),
    ]);
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(results).toHaveLength(60 + 20 + 20 + 3);
  });

  it('refuses bad operations and leaves the ring and the JWKS as they were', async () => {
    const { auth, jwks } = await start();
    expect(() => auth.tokens.keys.useForSigning('k9')).toThrow(/"k9" is not in the key ring/);
    expect(() => auth.tokens.keys.retire('k1')).toThrow(/is the signing key/);
    expect(() => auth.tokens.keys.add({ alg: 'HS256', key: 'too weak' })).toThrow(/keys\.add\.key/);
    expect(await jwks()).toEqual({ cacheControl: 'public, max-age=120', kids: ['k1'] });
  });

  it('sends a JWKS max-age of 5 minutes by default and refuses one that is not a duration up to a day', () => {
    const auth = createAuth({ signingKey: { alg: 'ES256', key: ecKey() } });
    expect(createHttpAuth({ auth }).jwks().headers).toEqual({ 'cache-control': 'public, max-age=300' });
    expect(() => createHttpAuth({ auth, jwksMaxAge: '2d' })).toThrow(/jwksMaxAge/);
    expect(() => createHttpAuth({ auth, jwksMaxAge: -1 })).toThrow(/jwksMaxAge/);
  });
});
