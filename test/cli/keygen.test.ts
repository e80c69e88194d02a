import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algorithms, createAuth } from 'authjwt';
import { calculateJwkThumbprint, importJWK, type JWK, jwtVerify } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { json, runCli } from './run-cli.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

interface Keygen {
  alg: string;
  kid: string;
  privateKeyPem?: string;
  secret?: string;
  publicJwk: JWK | null;
}

const dir = mkdtempSync(join(tmpdir(), 'authjwt-keygen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('authjwt keygen', () => {
  it('makes a key for every algorithm that an auth instance signs with, and jose verifies with the printed public JWK', async () => {
    const runs = await Promise.all(algorithms.map((alg) => runCli(['keygen', '--alg', alg, '--json'])));
    for (const [index, run] of runs.entries()) {
      const alg = algorithms[index] as (typeof algorithms)[number];
      expect(run.code, alg).toBe(0);
      const key = json<Keygen>(run);
      expect(key.alg).toBe(alg);
      const auth = createAuth({ signingKey: { alg, key: (key.privateKeyPem ?? key.secret) as string } });
      const token = auth.tokens.signAccessToken({ subject: 'keygen-user' }).token;
      // The kid printed is the one the library puts in its tokens' header.
      expect(auth.tokens.keys.list()[0]?.kid, alg).toBe(key.kid);
      if (alg.startsWith('HS')) {
        expect(key.publicJwk).toBeNull();
        expect(key.privateKeyPem).toBeUndefined();
        // As many random bytes as the hash is long (RFC 7518 section 3.2), written as base64url.
        expect(Buffer.from(key.secret as string, 'base64url')).toHaveLength(Number(alg.slice(2)) / 8);
        continue;
      }
      const jwk = key.publicJwk as JWK;
      expect(jwk).toMatchObject({ alg, kid: key.kid, use: 'sig' });
      expect(jwk.d).toBeUndefined();
      expect(key.kid).toBe(await calculateJwkThumbprint(jwk)); // RFC 7638
      const verified = await jwtVerify(token, await importJWK(jwk, alg), { algorithms: [alg] });
      expect(verified.protectedHeader.kid).toBe(key.kid);
      expect(verified.payload.sub).toBe('keygen-user');
    }
  }, 60_000);

  it('makes a new key on every run, RSA of 2048 bits unless --bits says otherwise', async () => {
    const [first, second, large] = await Promise.all([
      runCli(['keygen', '--alg', 'PS256', '--json']),
      runCli(['keygen', '--alg', 'PS256', '--json']),
      runCli(['keygen', '--alg', 'RS256', '--bits', '3072', '--json']),
    ]);
    const bits = (run: typeof first) =>
      createPublicKey({ key: json<Keygen>(run).publicJwk as JWK & { kty: string }, format: 'jwk' })
        .asymmetricKeyDetails?.modulusLength;
    expect(json<Keygen>(first).kid).not.toBe(json<Keygen>(second).kid);
    expect(bits(first)).toBe(2048);
    expect(bits(large)).toBe(3072);
  });

  it('prints the PEM then the public JWK on stdout for a person', async () => {
    const run = await runCli(['keygen', '--alg', 'EdDSA']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n\{\n {2}"crv": "Ed25519"/,
    );
  });

  it('writes the private key to a new file of mode 0600 with --out, prints only the public JWK, and never overwrites', async () => {
    const file = join(dir, 'signing.pem');
    const run = await runCli(['keygen', '--alg', 'ES384', '--out', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('PRIVATE KEY');
    const jwk = JSON.parse(run.stdout) as JWK;
    const pem = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const auth = createAuth({ signingKey: { alg: 'ES384', key: pem } });
    expect(auth.tokens.jwks().keys[0]).toMatchObject({ kid: jwk.kid, x: jwk.x });

    const again = await runCli(['keygen', '--alg', 'ES384', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwrites');
    expect(readFileSync(file, 'utf8')).toBe(pem);

    const secretFile = join(dir, 'secret');
    const secret = await runCli(['keygen', '--alg', 'HS512', '--out', secretFile, '--json']);
    expect(json<{ secretFile: string; secret?: string }>(secret)).toMatchObject({ secretFile });
    expect(secret.stdout).not.toContain(readFileSync(secretFile, 'utf8'));
    expect(Buffer.from(readFileSync(secretFile, 'utf8'), 'base64url')).toHaveLength(64);
  });

  it('refuses none, unknown algorithms and RSA sizes the library refuses (exit 2)', async () => {
    const runs = await Promise.all([
      runCli(['keygen', '--alg', 'none']),
      runCli(['keygen', '--alg', 'HS1']),
      runCli(['keygen', '--alg', 'RS256', '--bits', '1024']),
      runCli(['keygen', '--alg', 'ES256', '--bits', '2048']),
      runCli(['keygen']),
    ]);
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]?.stderr).toContain('"none" is not a signing algorithm');
    expect(runs.every((run) => run.stdout === '')).toBe(true);
  });
});
