import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { Algorithm } from 'authjwt';

/** Key material for one algorithm, in every form the libraries take. */
export interface KeyMaterial {
  readonly alg: Algorithm;
  /** HMAC only: the secret as a string, as most applications configure it. */
  readonly secret: string | undefined;
  /** The HMAC secret or the private key. */
  readonly signingKey: KeyObject;
  /** The HMAC secret or the public key. */
  readonly verificationKey: KeyObject;
  /** PEM (PKCS#8 / SPKI) for asymmetric keys; the secret string for HMAC. */
  readonly signingText: string;
  readonly verificationText: string;
}

const keyCache = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

function keyPair(kind: string, generate: () => { privateKey: KeyObject; publicKey: KeyObject }) {
  let pair = keyCache.get(kind);
  if (pair === undefined) {
    pair = generate();
    keyCache.set(kind, pair);
  }
  return pair;
}

/** Fresh keys per run: HMAC secrets of 64 random bytes as text, RSA 2048 (shared by RS* and PS*), P-256/384/521, Ed25519. */
export function keyMaterial(alg: Algorithm): KeyMaterial {
  if (alg.startsWith('HS')) {
    const secret = randomBytes(64).toString('base64url');
    const key = createSecretKey(Buffer.from(secret, 'utf8'));
    return {
      alg,
      secret,
      signingKey: key,
      verificationKey: key,
      signingText: secret,
      verificationText: secret,
    };
  }
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    pair = keyPair('rsa', () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
  } else if (alg === 'EdDSA') {
    pair = keyPair('ed25519', () => generateKeyPairSync('ed25519'));
  } else {
    const namedCurve = alg === 'ES256' ? 'prime256v1' : alg === 'ES384' ? 'secp384r1' : 'secp521r1';
    pair = keyPair(namedCurve, () => generateKeyPairSync('ec', { namedCurve }));
  }
  return {
    alg,
    secret: undefined,
    signingKey: pair.privateKey,
    verificationKey: pair.publicKey,
    signingText: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    verificationText: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}
