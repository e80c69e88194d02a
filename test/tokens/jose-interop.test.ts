/**
 * jose (v6, WebCrypto) is the oracle: for every algorithm we implement, tokens jose signs with our
 * conventions (typ at+jwt / rt+jwt, claim type) verify with ours, and tokens we sign verify with
 * jose, both with the bare key and through the JWKS we publish.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, algorithms } from '../../src/tokens/algorithms.js';
import { createTokenService, type TokenService } from '../../src/tokens/token-service.js';
import { fixedClock, fixedNowSeconds, refusal } from './helpers.js';

interface KeyPair {
  /** What signs: the private key, or the HMAC secret. */
  signing: KeyObject | Uint8Array;
  /** What verifies: the public key, or the same secret. */
  verifying: KeyObject | Uint8Array;
}

const issuer = 'https://auth.example';
const audience = 'api.example';
const currentDate = new Date(fixedNowSeconds * 1000);
const keys = new Map<Algorithm, KeyPair>();

beforeAll(() => {
  // One RSA key serves RS* and PS*: generation is the slow part of this file.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  };
  const ed = generateKeyPairSync('ed25519');
  for (const alg of algorithms) {
    if (alg.startsWith('HS')) {
      const secret = new Uint8Array(randomBytes(64));
      keys.set(alg, { signing: secret, verifying: secret });
    } else if (alg.startsWith('RS') || alg.startsWith('PS')) {
      keys.set(alg, { signing: rsa.privateKey, verifying: rsa.publicKey });
    } else if (alg === 'EdDSA') {
      keys.set(alg, { signing: ed.privateKey, verifying: ed.publicKey });
    } else {
      const pair = ec[alg as keyof typeof ec];
      keys.set(alg, { signing: pair.privateKey, verifying: pair.publicKey });
    }
  }
});

function pair(alg: Algorithm): KeyPair {
  const found = keys.get(alg);
  if (found === undefined) throw new Error(`no key for ${alg}`);
  return found;
}

const asKeyMaterial = (key: KeyObject | Uint8Array) => (key instanceof Uint8Array ? Buffer.from(key) : key);

/** Our signing service for `alg`. */
function ourSigner(alg: Algorithm): TokenService {
  return createTokenService({
    signingKey: { alg, key: asKeyMaterial(pair(alg).signing), kid: `${alg}-key` },
    issuer,
    audience,
    clock: fixedClock,
  });
}

/** A verify-only service of ours that knows the key as its owner publishes it (public key or secret). */
function ourVerifier(alg: Algorithm): TokenService {
  return createTokenService({
    verificationKeys: [{ alg, key: asKeyMaterial(pair(alg).verifying), kid: `${alg}-key` }],
    issuer,
    audience,
    clock: fixedClock,
  });
}

/** A token signed by jose following our conventions. */
function joseSign(alg: Algorithm, type: 'access' | 'refresh'): Promise<string> {
  return new SignJWT({ type, sid: 'session-1', roles: ['admin'] })
    .setProtectedHeader({ alg, typ: type === 'access' ? 'at+jwt' : 'rt+jwt', kid: `${alg}-key` })
    .setSubject('user-42')
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(fixedNowSeconds)
    .setExpirationTime(fixedNowSeconds + 900)
    .setJti('jti-0123456789abcdefghij')
    .sign(pair(alg).signing);
}

describe.each(algorithms)('%s interop with jose', (alg) => {
  it('a jose-signed access token verifies with ours, claims intact', async () => {
    const token = await joseSign(alg, 'access');
    const claims = ourVerifier(alg).verifyAccessToken(token);
    expect(claims).toEqual({
      type: 'access',
      sid: 'session-1',
      roles: ['admin'],
      sub: 'user-42',
      iss: issuer,
      aud: audience,
      iat: fixedNowSeconds,
      exp: fixedNowSeconds + 900,
      jti: 'jti-0123456789abcdefghij',
    });
  });

  it('a jose-signed refresh token verifies with ours as a refresh token and never as an access token', async () => {
    const token = await joseSign(alg, 'refresh');
    const verifier = ourVerifier(alg);
    expect(verifier.verifyRefreshToken(token).type).toBe('refresh');
    expect(refusal(() => verifier.verifyAccessToken(token)).code).toBe('wrong_token_type');
  });

  it('a jose-signed token with one payload bit changed is refused by ours', async () => {
    const [header, payload, signature] = (await joseSign(alg, 'access')).split('.');
    const tampered = Buffer.from(payload ?? '', 'base64url');
    tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 0x01;
    const token = `${header}.${tampered.toString('base64url')}.${signature}`;
    expect(refusal(() => ourVerifier(alg).verifyAccessToken(token))).toEqual({
      code: 'token_invalid',
      reason: 'signature',
    });
  });

  it('our access and refresh tokens verify with jose (bare key), typ and claims as jose reads them', async () => {
    const signer = ourSigner(alg);
    const access = signer.signAccessToken({
      subject: 'user-42',
      sessionId: 'session-1',
      fresh: true,
      claims: { roles: ['admin'] },
    });
    const refresh = signer.signRefreshToken({ subject: 'user-42', sessionId: 'session-1' });

    const verifiedAccess = await jwtVerify(access.token, pair(alg).verifying, {
      algorithms: [alg],
      typ: 'at+jwt',
      issuer,
      audience,
      subject: 'user-42',
      currentDate,
    });
    expect(verifiedAccess.protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: `${alg}-key` });
    expect(verifiedAccess.payload).toEqual(access.claims);
    expect(verifiedAccess.payload).toMatchObject({
      type: 'access',
      sid: 'session-1',
      fresh: fixedNowSeconds + 300,
    });

    const verifiedRefresh = await jwtVerify(refresh.token, pair(alg).verifying, {
      algorithms: [alg],
      typ: 'rt+jwt',
      currentDate,
    });
    expect(verifiedRefresh.payload).toEqual(refresh.claims);
    await expect(
      jwtVerify(refresh.token, pair(alg).verifying, { algorithms: [alg], typ: 'at+jwt', currentDate }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' });
  });

  it('jose refuses our token once a signature bit changes (the oracle is not trivially permissive)', async () => {
    const { token } = ourSigner(alg).signAccessToken({ subject: 'user-42' });
    const [header, payload, signature] = token.split('.');
    const bytes = Buffer.from(signature ?? '', 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 0x80;
    await expect(
      jwtVerify(`${header}.${payload}.${bytes.toString('base64url')}`, pair(alg).verifying, {
        algorithms: [alg],
        currentDate,
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  if (!alg.startsWith('HS')) {
    it('our token verifies with jose through the JWKS we publish (kid, alg, use)', async () => {
      const signer = ourSigner(alg);
      const { token } = signer.signAccessToken({ subject: 'user-42' });
      const jwks = signer.jwks();
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kid: `${alg}-key`, alg, use: 'sig' });
      expect(decodeProtectedHeader(token).kid).toBe(`${alg}-key`);
      const { payload } = await jwtVerify(
        token,
        createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
        {
          algorithms: [alg],
          currentDate,
        },
      );
      expect(payload.sub).toBe('user-42');
    });
  }
});

describe('interop edges', () => {
  it('a jose token for another algorithm under the same kid is refused by ours (the key pins its alg)', async () => {
    // RS256 and PS256 share the RSA key here: a verifier bound to RS256 must not accept PS256.
    const token = await joseSign('PS256', 'access');
    const rs256Only = createTokenService({
      verificationKeys: [{ alg: 'RS256', key: asKeyMaterial(pair('RS256').verifying), kid: 'PS256-key' }],
      clock: fixedClock,
    });
    expect(refusal(() => rs256Only.verifyAccessToken(token))).toEqual({
      code: 'token_invalid',
      reason: 'alg_mismatch',
    });
  });

  it('a jose token without our typ header is refused as the wrong token type', async () => {
    const token = await new SignJWT({ type: 'access' })
      .setProtectedHeader({ alg: 'ES256', kid: 'ES256-key' })
      .setSubject('user-42')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(fixedNowSeconds)
      .setExpirationTime(fixedNowSeconds + 60)
      .sign(pair('ES256').signing);
    expect(refusal(() => ourVerifier('ES256').verifyAccessToken(token))).toEqual({
      code: 'wrong_token_type',
      reason: 'typ_header',
    });
  });

  it('a jose token whose exp is now is refused by ours as expired (exp is exclusive)', async () => {
    const token = await new SignJWT({ type: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'HS256-key' })
      .setSubject('user-42')
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime(fixedNowSeconds)
      .sign(pair('HS256').signing);
    expect(refusal(() => ourVerifier('HS256').verifyAccessToken(token)).code).toBe('token_expired');
    await expect(jwtVerify(token, pair('HS256').verifying, { currentDate })).rejects.toThrow(
      '"exp" claim timestamp check failed',
    );
  });
});
