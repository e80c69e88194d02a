import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticatedSocket, login } from '../ws/client.js';
import { spawnApp } from './process.js';
import { call, frameworks } from './start-app.js';

function claimsOf(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
}

describe('npm start: the reference app as its own process, configured by the environment', () => {
  it('starts with defaults, warns about the random secret, prints its URL', async () => {
    const app = await spawnApp({});
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(app.output()).toContain('JWT_SECRET is not set');
      const login = await call(app.url, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-pass' },
      });
      expect(login.status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('signs with the PEM key of JWT_PRIVATE_KEY_FILE, publishes it in the JWKS, and sets issuer, audience and TTLs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authjwt-key-'));
    const keyFile = join(dir, 'key.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const app = await spawnApp({
      JWT_ALGORITHM: 'ES384',
      JWT_PRIVATE_KEY_FILE: keyFile,
      JWT_ISSUER: 'https://issuer.test',
      JWT_AUDIENCE: 'reference-api',
      ACCESS_TTL: '120',
      REFRESH_TTL: '3600',
      LOG_LEVEL: 'silent',
    });
    try {
      const jwks = await call(app.url, 'GET', '/.well-known/jwks.json');
      expect(jwks.body.keys).toHaveLength(1);
      expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig' });
      expect(jwks.body.keys[0].d).toBeUndefined();
      const login = await call(app.url, 'POST', '/auth/login', {
        body: { username: 'bob', password: 'bob-pass' },
      });
      expect(login.body.expires_in).toBe(120);
      const access = claimsOf(login.body.access_token);
      expect(access).toMatchObject({ iss: 'https://issuer.test', aud: 'reference-api', sub: 'bob' });
      expect(access.exp - access.iat).toBe(120);
      const refresh = claimsOf(login.body.refresh_token);
      expect(refresh.exp - refresh.iat).toBe(3600);
      const header = JSON.parse(Buffer.from(login.body.access_token.split('.')[0], 'base64url').toString());
      expect(header).toMatchObject({ alg: 'ES384', kid: jwks.body.keys[0].kid });
      expect((await call(app.url, 'GET', '/me', { token: login.body.access_token })).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it.each(['HS512', 'RS256', 'PS256', 'ES256', 'EdDSA'])(
    'runs with JWT_ALGORITHM=%s and a generated key',
    async (alg) => {
      const app = await spawnApp({ JWT_ALGORITHM: alg, LOG_LEVEL: 'silent' });
      try {
        const login = await call(app.url, 'POST', '/auth/login', {
          body: { username: 'alice', password: 'alice-pass' },
        });
        const header = JSON.parse(Buffer.from(login.body.access_token.split('.')[0], 'base64url').toString());
        expect(header.alg).toBe(alg);
        expect((await call(app.url, 'GET', '/me', { token: login.body.access_token })).status).toBe(200);
        const keys = (await call(app.url, 'GET', '/.well-known/jwks.json')).body.keys;
        expect(keys).toHaveLength(alg.startsWith('HS') ? 0 : 1);
      } finally {
        await app.stop();
      }
    },
  );

  it.each(frameworks)(
    'runs on APP_FRAMEWORK=%s and exits 0 on SIGTERM, a WebSocket open',
    async (framework) => {
      const app = await spawnApp({ APP_FRAMEWORK: framework, LOG_LEVEL: 'silent' });
      try {
        expect((await call(app.url, 'GET', '/healthz')).body).toMatchObject({ framework });
        const alice = await login(app.url, 'alice');
        const socket = await authenticatedSocket(app.url, alice.accessToken);
        await app.stop();
        expect(app.child.exitCode).toBe(0);
        expect((await socket.closed).code).toBe(1001);
      } finally {
        await app.stop();
      }
    },
  );

  it('refuses to start with an unknown APP_FRAMEWORK, naming the variable', async () => {
    await expect(spawnApp({ APP_FRAMEWORK: 'koa' })).rejects.toThrow(/APP_FRAMEWORK must be one of/);
  });

  it('refuses to start with an unknown algorithm', async () => {
    await expect(spawnApp({ JWT_ALGORITHM: 'none' })).rejects.toThrow(/JWT_ALGORITHM/);
  });

  it('refuses to start with a weak HMAC secret', async () => {
    await expect(spawnApp({ JWT_SECRET: 'short' })).rejects.toThrow(/at least 32 bytes/);
  });
});
