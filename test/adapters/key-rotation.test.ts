/**
 * Own keys rotated at runtime, over real HTTP through the Fastify, Express and Hono adapters: the
 * JWKS follows each change with its caching header, tokens of a key still published keep working,
 * and a retired key's tokens are refused at once, even one the verified-token cache already holds.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Auth, createAuth } from 'authjwt';
import { type AuthenticatedRequest, authjwtExpress } from 'authjwt/express';
import { authjwtFastify, createAuthErrorHandler } from 'authjwt/fastify';
import { type AuthEnv, authjwtHono } from 'authjwt/hono';
import { createHttpAuth } from 'authjwt/http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

type Served = { base: string; close(): Promise<void> };
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** An app with `GET /private` behind `requireAccess()` answering `{ sub }`, and the JWKS, on each framework. */
const frameworks: Record<string, (auth: Auth) => Promise<Served>> = {
  async fastify(auth) {
    const app = Fastify();
    app.setErrorHandler(createAuthErrorHandler());
    await app.register(authjwtFastify, { auth, jwksMaxAge: 120 });
    app.get('/private', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
      sub: request.auth?.subject,
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      close: () => app.close(),
    };
  },
  async express(auth) {
    const authjwt = authjwtExpress({ auth, jwksMaxAge: 120 });
    const app = express();
    app.get('/.well-known/jwks.json', authjwt.jwks);
    app.get('/private', authjwt.requireAccess(), (request, response) => {
      response.json({ sub: (request as AuthenticatedRequest).auth.subject });
    });
    app.use(authjwt.errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
  async hono(auth) {
    const authjwt = authjwtHono({ auth, jwksMaxAge: 120 });
    const app = new Hono<AuthEnv>();
    app.onError(authjwt.onError);
    app.get('/.well-known/jwks.json', authjwt.jwks);
    app.get('/private', authjwt.requireAccess(), (c) => c.json({ sub: c.var.auth.subject }));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    return {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};

describe.each(Object.keys(frameworks))('own key rotation over HTTP (%s)', (framework) => {
  async function start() {
    const auth = createAuth({ signingKey: { alg: 'ES256', key: ecKey(), kid: 'k1' }, accessTtl: 600 });
    served = await (frameworks[framework] as (auth: Auth) => Promise<Served>)(auth);
    const { base } = served;
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
