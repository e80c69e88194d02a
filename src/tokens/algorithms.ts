import { constants, createHmac, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

/** The JWS algorithms the library implements (RFC 7518, RFC 8037). `none` is never one of them. */
export const algorithms = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export type Algorithm = (typeof algorithms)[number];

export type AlgorithmFamily = 'hmac' | 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa';

export interface AlgorithmSpec {
  readonly name: Algorithm;
  readonly family: AlgorithmFamily;
  /** node:crypto digest name; `null` for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** Digest size in bytes: the minimum HMAC secret length and the PSS salt length. */
  readonly hashBytes: number;
  /** Exact signature length where the algorithm fixes it (HMAC, ECDSA P1363, EdDSA). */
  readonly signatureBytes: number | null;
  /** OpenSSL curve name that an ECDSA key must use. */
  readonly curve?: string;
}

function spec(
  name: Algorithm,
  family: AlgorithmFamily,
  bits: 256 | 384 | 512,
  extra: Partial<AlgorithmSpec> = {},
): AlgorithmSpec {
  return {
    name,
    family,
    hash: `sha${bits}`,
    hashBytes: bits / 8,
    signatureBytes: family === 'hmac' ? bits / 8 : null,
    ...extra,
  };
}

export const algorithmSpecs: Readonly<Record<Algorithm, AlgorithmSpec>> = {
  HS256: spec('HS256', 'hmac', 256),
  HS384: spec('HS384', 'hmac', 384),
  HS512: spec('HS512', 'hmac', 512),
  RS256: spec('RS256', 'rsa', 256),
  RS384: spec('RS384', 'rsa', 384),
  RS512: spec('RS512', 'rsa', 512),
  PS256: spec('PS256', 'rsa-pss', 256),
  PS384: spec('PS384', 'rsa-pss', 384),
  PS512: spec('PS512', 'rsa-pss', 512),
  // RFC 7518 section 3.4: R || S, each the curve's byte length (P-521: 66 bytes).
  ES256: spec('ES256', 'ecdsa', 256, { signatureBytes: 64, curve: 'prime256v1' }),
  ES384: spec('ES384', 'ecdsa', 384, { signatureBytes: 96, curve: 'secp384r1' }),
  ES512: spec('ES512', 'ecdsa', 512, { signatureBytes: 132, curve: 'secp521r1' }),
  EdDSA: { name: 'EdDSA', family: 'eddsa', hash: null, hashBytes: 64, signatureBytes: 64 },
};

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.hasOwn(algorithmSpecs, value);
}

/** Signs `input` with a key already checked to fit `alg`. */
export function signBytes(alg: AlgorithmSpec, key: KeyObject, input: Buffer | string): Buffer {
  const data = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  switch (alg.family) {
    case 'hmac':
      return createHmac(alg.hash as string, key)
        .update(data)
        .digest();
    case 'rsa':
      return sign(alg.hash, data, key);
    case 'rsa-pss':
      return sign(alg.hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    case 'ecdsa':
      return sign(alg.hash, data, { key, dsaEncoding: 'ieee-p1363' });
    case 'eddsa':
      return sign(null, data, key);
  }
}

/**
 * Verifies `signature` over `input`. Length is checked before any crypto wherever the algorithm
 * fixes it, which also rules out DER-encoded ECDSA signatures and truncated MACs.
 */
export function verifyBytes(alg: AlgorithmSpec, key: KeyObject, input: string, signature: Buffer): boolean {
  if (alg.signatureBytes !== null && signature.length !== alg.signatureBytes) return false;
  switch (alg.family) {
    case 'hmac':
      // The JWS signing input is ASCII by construction, so latin1 avoids a UTF-8 encode.
      return timingSafeEqual(
        createHmac(alg.hash as string, key)
          .update(input, 'latin1')
          .digest(),
        signature,
      );
    case 'rsa':
      return verify(alg.hash, Buffer.from(input, 'latin1'), key, signature);
    case 'rsa-pss':
      // RFC 7518 section 3.5: the salt is as long as the digest; anything else is refused.
      return verify(
        alg.hash,
        Buffer.from(input, 'latin1'),
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashBytes },
        signature,
      );
    case 'ecdsa':
      return verify(alg.hash, Buffer.from(input, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'eddsa':
      return verify(null, Buffer.from(input, 'latin1'), key, signature);
  }
}

/**
 * HMAC against the signature segment as it stands in the token: the MAC is computed, encoded as
 * base64url and compared in constant time. The segment needs no decoding (with its buffer, a
 * tenth of a short token's check), and only the canonical encoding of the right MAC matches, so a
 * segment with other trailing bits is refused like any wrong MAC.
 */
export function verifyHmacSegment(
  alg: AlgorithmSpec,
  key: KeyObject,
  input: string,
  signatureSegment: string,
): boolean {
  // The JWS signing input is ASCII by construction, so latin1 avoids a UTF-8 encode.
  const expected = createHmac(alg.hash as string, key)
    .update(input, 'latin1')
    .digest('base64url');
  return constantTimeEqual(expected, signatureSegment);
}
