import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from 'authjwt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CliRun, json, runCli } from './run-cli.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'authjwt-inspect-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const secret = 'inspect-test-secret-0123456789-abcdefghijkl';

const es256 = createTokenService({
  signingKey: { alg: 'ES256', key: privatePem },
  issuer: 'https://issuer.test',
});
const hs256 = createTokenService({ signingKey: { alg: 'HS256', key: secret } });
const token = es256.signAccessToken({
  subject: 'alice',
  sessionId: 'session-id-1',
  csrf: 'csrf-value-xyz',
}).token;

let jwksServer: Server;
let jwksUrl: string;

beforeAll(async () => {
  jwksServer = createServer((_, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(es256.jwks()));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Inspected {
  verified: boolean;
  message: string;
  reason?: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  times: Record<string, string>;
}

/** Neither the token nor its signature appears anywhere the CLI wrote. */
function expectNoTokenIn(run: CliRun, presented = token): void {
  const printed = run.stdout + run.stderr;
  expect(printed).not.toContain(presented);
  expect(printed).not.toContain(presented.split('.')[2] as string);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('authjwt inspect', () => {
  it('shows header and claims marked UNVERIFIED without a key, the csrf claim redacted, times as dates', async () => {
    const run = await runCli(['inspect', token, '--json']);
    expect(run.code).toBe(0);
    const shown = json<Inspected>(run);
    expect(shown.verified).toBe(false);
    expect(shown.message).toMatch(/^UNVERIFIED/);
    expect(shown.header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: es256.keys.list()[0]?.kid });
    expect(shown.claims).toMatchObject({
      sub: 'alice',
      sid: 'session-id-1',
      csrf: '[redacted]',
      iss: 'https://issuer.test',
    });
    expect(shown.times.exp).toMatch(/^\d{4}-\d\d-\d\dT.*\(in 1[45]m\)$/);
    expect(run.stdout).not.toContain('csrf-value-xyz');
    expectNoTokenIn(run);
    const text = await runCli(['inspect', token]);
    expect(text.stdout.split('\n')[0]).toBe(
      'UNVERIFIED: the signature was not checked (give --key or --jwks)',
    );
  });

  it('reads the token from stdin when none is given or "-", keeping it out of the shell history', async () => {
    for (const args of [
      ['inspect', '--json'],
      ['inspect', '-', '--json'],
    ]) {
      const run = await runCli(args, { stdin: `${token}\n` });
      expect(run.code).toBe(0);
      expect(json<Inspected>(run).claims.sub).toBe('alice');
    }
  });

  it('verifies with a public PEM, a private PEM, a JWK, a JWK Set file or a JWKS URL', async () => {
    const jwk = es256.jwks().keys[0];
    const keys = [
      ['--key', file('public.pem', publicPem)],
      ['--key', file('private.pem', privatePem)],
      ['--key', file('key.jwk', JSON.stringify(jwk))],
      ['--key', file('keys.json', JSON.stringify(es256.jwks()))],
      ['--jwks', jwksUrl],
    ];
    const runs = await Promise.all(
      keys.map((key) => runCli(['inspect', token, ...key, '--issuer', 'https://issuer.test', '--json'])),
    );
    for (const [index, run] of runs.entries()) {
      expect(run.code, keys[index]?.join(' ')).toBe(0);
      expect(json<Inspected>(run)).toMatchObject({
        verified: true,
        message: expect.stringMatching(/^VERIFIED with .*ES256/),
      });
      expectNoTokenIn(run);
    }
  });

  it('verifies an HS256 token with a secret file (its final newline is not part of the secret)', async () => {
    const hsToken = hs256.signAccessToken({ subject: 'bob' }).token;
    const run = await runCli(['inspect', hsToken, '--key', file('secret.txt', `${secret}\n`), '--json']);
    expect(run.code).toBe(0);
    expect(json<Inspected>(run)).toMatchObject({ verified: true, claims: { sub: 'bob' } });
    expectNoTokenIn(run, hsToken);
  });

  it('refuses with exit 4 and a reason: another key (signature), expired, another issuer; never echoing the token', async () => {
    const expired = createTokenService({
      signingKey: { alg: 'ES256', key: privatePem },
      clock: () => Date.now() - 3_600_000,
    }).signAccessToken({ subject: 'alice' }).token;
    const otherPem = file('other.pem', otherEc.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const cases: [string, string[], string][] = [
      [token, ['--key', otherPem], 'signature'],
      [expired, ['--key', file('public2.pem', publicPem)], 'expired'],
      [token, ['--jwks', jwksUrl, '--issuer', 'https://other.test'], 'iss'],
      [token, ['--key', file('public3.pem', publicPem), '--audience', 'api'], 'aud'],
    ];
    const runs = await Promise.all(
      cases.map(([presented, options]) => runCli(['inspect', presented, ...options, '--json'])),
    );
    for (const [index, [presented, , reason]] of cases.entries()) {
      const run = runs[index] as CliRun;
      expect(run.code, reason).toBe(4);
      expect(json(run)).toEqual({ error: expect.objectContaining({ code: 'token_invalid', reason }) });
      expectNoTokenIn(run, presented);
    }
    const text = await runCli(['inspect', token, '--key', otherPem]);
    expect(text.stderr).toBe('authjwt: the signature does not match the key\n');
    expect(text.stdout).toBe('');
  });

  it('refuses alg none, even unverified, and an HMAC token made with a public key as its secret (algorithm confusion)', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory' })}.`;
    const none = await runCli(['inspect', unsigned, '--json']);
    expect(none.code).toBe(4);
    expect(json<Inspected>(none)).toMatchObject({
      verified: false,
      reason: 'alg_none',
      claims: { sub: 'mallory' },
    });
    const noneVerified = await runCli(['inspect', unsigned, '--key', file('p.pem', publicPem), '--json']);
    expect(noneVerified.code).toBe(4);

    const input = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: 'mallory', exp: 4_000_000_000 })}`;
    const forged = `${input}.${createHmac('sha256', rsaPublicPem).update(input).digest('base64url')}`;
    const run = await runCli(['inspect', forged, '--key', file('rsa.pem', rsaPublicPem), '--json']);
    expect(run.code).toBe(4);
    expect(json(run)).toEqual({ error: expect.objectContaining({ reason: 'alg' }) });
    const viaJwks = await runCli([
      'inspect',
      hs256.signAccessToken({ subject: 'x' }).token,
      '--jwks',
      jwksUrl,
      '--json',
    ]);
    expect(viaJwks.code).toBe(4);
    const hsWithJwks = await runCli(['inspect', token, '--jwks', jwksUrl, '--alg', 'HS256']);
    expect(hsWithJwks.code).toBe(2);
  });

  it('refuses malformed tokens (exit 4) naming the part at fault, never quoting it', async () => {
    const badJson = `${base64url({ alg: 'HS256' })}.${Buffer.from('{"sub": secret-looking-text').toString('base64url')}.c2ln`;
    const cases = [
      ['abc.def', 'not a JWS compact token'],
      [badJson, 'the claims are not JSON'],
      ['a.b.c.d.e', 'encrypted token (JWE)'],
      [`${base64url({ alg: 'HS256' })}.e30!.c2ln`, 'the claims are not base64url'],
    ];
    const runs = await Promise.all(cases.map(([presented]) => runCli(['inspect', presented as string])));
    for (const [index, [presented, message]] of cases.entries()) {
      const run = runs[index] as CliRun;
      expect(run.code).toBe(4);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain('secret-looking-text');
      expect(run.stderr).not.toContain(presented);
    }
  });

  it('refuses unusable keys and options (exit 2): JSON that is no JWK, a missing file, --key with --jwks, plain http off loopback', async () => {
    const runs = await Promise.all([
      runCli(['inspect', token, '--key', file('not-a-jwk.json', '{"hello": "world"}')]),
      runCli(['inspect', token, '--key', join(dir, 'missing.pem')]),
      runCli(['inspect', token, '--key', file('p4.pem', publicPem), '--jwks', jwksUrl]),
      runCli(['inspect', token, '--jwks', 'http://example.com/jwks.json']),
      runCli(['inspect', token, '--key', file('p5.pem', publicPem), '--alg', 'RS256']),
    ]);
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    for (const run of runs) expectNoTokenIn(run);
  });
});
