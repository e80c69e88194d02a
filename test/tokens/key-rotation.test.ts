import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createAuth } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/tokens/token-service.js';
import { configRefusal, refusal } from './helpers.js';

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

function service(verifiedTokenCache = 100) {
  return createTokenService({ signingKey: { alg: 'ES256', key: ecKey(), kid: 'old' }, verifiedTokenCache });
}

describe('own keys rotated at runtime', () => {
  it('publishes an added key at once and keeps verifying tokens of the old key after the switch', () => {
    const tokens = service();
    const before = tokens.signAccessToken({ subject: 'alice' }).token;
    expect(tokens.keys.add({ alg: 'ES256', key: ecKey(), kid: 'new' })).toBe('new');
    expect(tokens.jwks().keys.map((key) => key.kid)).toEqual(['old', 'new']);
    tokens.keys.useForSigning('new');
    const after = tokens.signAccessToken({ subject: 'bob' }).token;
    expect(JSON.parse(Buffer.from(after.split('.')[0] as string, 'base64url').toString()).kid).toBe('new');
    expect(tokens.verifyAccessToken(before).sub).toBe('alice');
    expect(tokens.verifyAccessToken(after).sub).toBe('bob');
    expect(tokens.keys.list()).toEqual([
      { kid: 'new', alg: 'ES256', signing: true, published: true, canSign: true },
      { kid: 'old', alg: 'ES256', signing: false, published: true, canSign: true },
    ]);
  });

  it('refuses tokens of a retired key, even one already verified and cached (kid_unknown)', () => {
    for (const cache of [100, 0]) {
      const tokens = service(cache);
      const before = tokens.signAccessToken({ subject: 'alice' }).token;
      expect(tokens.verifyAccessToken(before).sub).toBe('alice');
      tokens.keys.add({ alg: 'ES256', key: ecKey(), kid: 'new' });
      tokens.keys.useForSigning('new');
      expect(tokens.verifyAccessToken(before).sub).toBe('alice');
      tokens.keys.retire('old');
      expect(refusal(() => tokens.verifyAccessToken(before))).toEqual({
        code: 'token_invalid',
        reason: 'kid_unknown',
      });
      expect(tokens.jwks().keys.map((key) => key.kid)).toEqual(['new']);
      expect(tokens.verifyAccessToken(tokens.signAccessToken({ subject: 'bob' }).token).sub).toBe('bob');
    }
  });

  it('lets a verify-only ring rotate down to one key, never to none', () => {
    const tokens = createTokenService({ verificationKeys: [{ alg: 'ES256', key: ecKey(), kid: 'a' }] });
    tokens.keys.add({ alg: 'ES256', key: ecKey(), kid: 'b' });
    expect(tokens.keys.list().map((key) => key.kid)).toEqual(['a', 'b']);
    tokens.keys.retire('a');
    expect(tokens.keys.list().map((key) => key.kid)).toEqual(['b']);
    expect(configRefusal(() => tokens.keys.retire('b')).message).toMatch(/"b" is the last key in the ring/);
  });

  it('refuses bad operations with AuthConfigError naming the operation and the kid', () => {
    const tokens = service();
    expect(configRefusal(() => tokens.keys.useForSigning('never-published')).message).toMatch(
      /keys\.useForSigning.*"never-published" is not in the key ring; add \(publish\) it first/,
    );
    expect(configRefusal(() => tokens.keys.retire('old')).message).toMatch(
      /keys\.retire.*"old" is the signing key/,
    );
    expect(configRefusal(() => tokens.keys.retire('nope')).message).toMatch(/keys\.retire.*"nope"/);
    expect(configRefusal(() => tokens.keys.add({ alg: 'ES256', key: ecKey(), kid: 'old' })).message).toMatch(
      /keys\.add.*"old" is already in the key ring/,
    );
    // Validated exactly like configured keys: weak secrets, wrong algorithm, public keys for signing.
    expect(configRefusal(() => tokens.keys.add({ alg: 'HS256', key: 'short' })).message).toMatch(
      /keys\.add\.key/,
    );
    expect(configRefusal(() => tokens.keys.add({ alg: 'RS256', key: ecKey(), kid: 'rsa' })).message).toMatch(
      /keys\.add\.key/,
    );
    const publicOnly = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    tokens.keys.add({ alg: 'ES256', key: publicOnly, kid: 'public' });
    expect(configRefusal(() => tokens.keys.useForSigning('public')).message).toMatch(/is a public key/);
    expect(configRefusal(() => tokens.keys.useForSigning(undefined as unknown as string)).message).toMatch(
      /keys\.useForSigning/,
    );
    expect(tokens.keys.list().find((key) => key.signing)?.kid).toBe('old');
  });

  it('never publishes an added HMAC secret, and can sign with it', () => {
    const tokens = service();
    const kid = tokens.keys.add({ alg: 'HS256', key: randomBytes(32) });
    expect(tokens.jwks().keys.map((key) => key.kid)).toEqual(['old']);
    tokens.keys.useForSigning(kid);
    const token = tokens.signAccessToken({ subject: 'carol' }).token;
    expect(tokens.verifyAccessToken(token).sub).toBe('carol');
    expect(tokens.keys.list().find((key) => key.kid === kid)).toMatchObject({
      published: false,
      signing: true,
    });
  });
});

describe('custom JOSE header parameters when signing', () => {
  it('adds them to the protected header beside alg, typ and kid', () => {
    const tokens = service();
    const { token } = tokens.signAccessToken({ subject: 'alice', header: { x5t: 'abc', cty: 'x' } });
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString());
    expect(header).toEqual({ x5t: 'abc', cty: 'x', alg: 'ES256', typ: expect.any(String), kid: 'old' });
    expect(tokens.verifyAccessToken(token).sub).toBe('alice');
  });

  it('puts the verified header, custom parameters included, on the context of an own token', async () => {
    for (const verifiedTokenCache of [100, 0]) {
      const auth = createAuth({ signingKey: { alg: 'ES256', key: ecKey(), kid: 'old' }, verifiedTokenCache });
      const pair = await auth.login({ subject: 'alice' });
      const { token } = auth.tokens.signAccessToken({
        subject: 'alice',
        sessionId: pair.sessionId,
        header: { x5t: 'abc', 'urn:example:tenant': { id: 7 } },
      });
      // Twice: the second answer comes from the verified-token cache when it is on.
      for (const _ of [1, 2]) {
        const context = await auth.authenticate(token);
        expect(context.header).toEqual({
          alg: 'ES256',
          typ: expect.any(String),
          kid: 'old',
          x5t: 'abc',
          'urn:example:tenant': { id: 7 },
        });
        expect(Object.isFrozen(context.header) && Object.isFrozen(context.header['urn:example:tenant'])).toBe(
          true,
        );
      }
      expect((await auth.authenticate(pair.accessToken)).header).toEqual({
        alg: 'ES256',
        typ: expect.any(String),
        kid: 'old',
      });
      expect((await auth.authenticateRefresh(pair.refreshToken)).header.kid).toBe('old');
      expect(auth.tokens.verifyToken(token, 'access').header.x5t).toBe('abc');
      await auth.close();
    }
  });

  it('refuses the parameters that decide how a token is verified', () => {
    const tokens = service();
    for (const name of ['alg', 'kid', 'typ', 'crit', 'jku', 'jwk', 'x5u', 'b64']) {
      expect(() => tokens.signAccessToken({ subject: 'a', header: { [name]: 'x' } })).toThrow(
        `the header parameter "${name}" is reserved`,
      );
    }
    expect(() =>
      tokens.signRefreshToken({ subject: 'a', header: [] as unknown as Record<string, unknown> }),
    ).toThrow(/header must be an object/);
  });
});
