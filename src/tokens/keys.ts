import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  KeyObject,
} from 'node:crypto';
import { AuthConfigError } from '../errors.js';
import { type Algorithm, type AlgorithmSpec, algorithmSpecs, isAlgorithm } from './algorithms.js';
import { decodeBase64url } from './base64url.js';
import { checkRsaKey, hasRocaFingerprint, rsaPublicJwk } from './rsa.js';
import { weakSecretReason } from './secret-strength.js';

/**
 * A key as configured: the algorithm it is bound to, and the material as an HMAC secret (string or
 * bytes), a PEM string (private key, public key or certificate), a JWK, or a KeyObject.
 */
export interface KeyInput {
  alg: Algorithm;
  key: string | Buffer | KeyObject | JsonWebKey;
  /**
   * The JOSE `kid`. Default: the JWK's own `kid`, else the RFC 7638 thumbprint (asymmetric) or an id
   * derived from the secret (HMAC).
   */
  kid?: string;
}

/** A key turned into KeyObjects once, bound to one algorithm. */
export interface ResolvedKey {
  readonly alg: AlgorithmSpec;
  readonly kid: string;
  /** The secret or private key, when this key can sign. */
  readonly signingKey: KeyObject | undefined;
  /** The secret or public key. */
  readonly verificationKey: KeyObject;
  /** The public JWK for the JWKS; `undefined` for HMAC secrets, which are never published. */
  readonly publicJwk: Readonly<JsonWebKey> | undefined;
}

const maximumKidLength = 256;

/** What a configured key is for: the signing key signs (and verifies its own tokens), the others verify. */
export type KeyPurpose = 'sign' | 'verify';

/** Turns a configured key into KeyObjects and refuses any key that does not fit its algorithm. */
export function resolveKey(input: KeyInput, option: string, purpose: KeyPurpose = 'verify'): ResolvedKey {
  if (input === null || typeof input !== 'object') throw new AuthConfigError(option, 'must be an object');
  if (!isAlgorithm(input.alg)) {
    throw new AuthConfigError(
      `${option}.alg`,
      `"${String(input.alg)}" is not a supported algorithm (none is never accepted)`,
    );
  }
  const alg = algorithmSpecs[input.alg];
  const jwk = isJwk(input.key) ? input.key : undefined;
  if (jwk !== undefined) checkJwkIntent(jwk, alg, option, purpose);
  const { signingKey, verificationKey } = toKeyObjects(input, alg, option);
  checkKeyFitsAlgorithm(verificationKey, alg, option);

  let publicJwk: JsonWebKey | undefined;
  let defaultKid: string;
  if (verificationKey.type === 'secret') {
    defaultKid = secretKid(verificationKey);
  } else {
    publicJwk = publicJwkOf(verificationKey, option);
    if (publicJwk.kty === 'RSA' && hasRocaFingerprint(String(publicJwk.n))) {
      throw new AuthConfigError(
        `${option}.key`,
        'this RSA key has the ROCA weakness (CVE-2017-15361); replace it',
      );
    }
    defaultKid = thumbprint(publicJwk);
  }
  const kid = input.kid ?? jwk?.kid ?? defaultKid;
  if (input.kid !== undefined && jwk?.kid !== undefined && input.kid !== jwk.kid) {
    throw new AuthConfigError(`${option}.kid`, `is "${input.kid}" but the JWK says kid "${String(jwk.kid)}"`);
  }
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > maximumKidLength) {
    throw new AuthConfigError(
      `${option}.kid`,
      `must be a non-empty string of at most ${maximumKidLength} characters`,
    );
  }
  if (publicJwk !== undefined) publicJwk = { ...publicJwk, kid, alg: alg.name, use: 'sig' };
  return { alg, kid, signingKey, verificationKey, publicJwk };
}

function toKeyObjects(
  input: KeyInput,
  alg: AlgorithmSpec,
  option: string,
): { signingKey: KeyObject | undefined; verificationKey: KeyObject } {
  const material = input.key;
  try {
    if (material instanceof KeyObject) {
      if (material.type === 'private')
        return { signingKey: material, verificationKey: createPublicKey(material) };
      if (material.type === 'public') return { signingKey: undefined, verificationKey: material };
      return { signingKey: material, verificationKey: material };
    }
    if (alg.family === 'hmac') {
      const secret = secretBytes(material, option);
      const key = createSecretKey(secret);
      return { signingKey: key, verificationKey: key };
    }
    if (typeof material === 'string' || Buffer.isBuffer(material)) {
      const pem = material.toString();
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
        const privateKey = createPrivateKey(pem);
        return { signingKey: privateKey, verificationKey: createPublicKey(privateKey) };
      }
      return { signingKey: undefined, verificationKey: createPublicKey(pem) };
    }
    if (isJwk(material)) {
      if (typeof material.d === 'string') {
        const privateKey = createPrivateKey({ key: material, format: 'jwk' });
        return { signingKey: privateKey, verificationKey: createPublicKey(privateKey) };
      }
      return { signingKey: undefined, verificationKey: createPublicKey({ key: material, format: 'jwk' }) };
    }
  } catch (error) {
    if (error instanceof AuthConfigError) throw error;
    // node:crypto's parse errors say nothing secret, but we keep our own wording and no key bytes.
    throw new AuthConfigError(`${option}.key`, `cannot be read as a ${alg.name} key`);
  }
  throw new AuthConfigError(`${option}.key`, 'must be a secret, a PEM string, a JWK or a KeyObject');
}

function isJwk(material: KeyInput['key']): material is JsonWebKey {
  return (
    typeof material === 'object' &&
    material !== null &&
    !(material instanceof KeyObject) &&
    !Buffer.isBuffer(material)
  );
}

function secretBytes(material: KeyInput['key'], option: string): Buffer {
  if (typeof material === 'string' || Buffer.isBuffer(material)) {
    // A public key used as an HMAC secret is the precondition of algorithm confusion: whoever has
    // the public key could then forge tokens. Such a secret is always a mistake.
    if (looksLikeKey(material.toString('latin1'))) {
      throw new AuthConfigError(`${option}.key`, 'an HMAC secret must be random bytes, not a PEM or JWK key');
    }
    return typeof material === 'string' ? Buffer.from(material, 'utf8') : material;
  }
  if (isJwk(material)) {
    if (material.kty !== 'oct' || typeof material.k !== 'string') {
      throw new AuthConfigError(`${option}.key`, 'an HMAC key given as a JWK must have kty "oct" and k');
    }
    const bytes = decodeBase64url(material.k);
    if (bytes === undefined) throw new AuthConfigError(`${option}.key`, 'the JWK "k" is not base64url');
    return bytes;
  }
  throw new AuthConfigError(
    `${option}.key`,
    'an HMAC key must be a string, a Buffer, an oct JWK or a KeyObject',
  );
}

function looksLikeKey(text: string): boolean {
  if (text.includes('-----BEGIN ')) return true;
  if (!text.trimStart().startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'kty' in parsed;
  } catch {
    return false;
  }
}

/** A JWK that declares another algorithm or another purpose is a configuration mistake, not a key. */
function checkJwkIntent(jwk: JsonWebKey, alg: AlgorithmSpec, option: string, purpose: KeyPurpose): void {
  if (jwk.alg !== undefined && jwk.alg !== alg.name) {
    throw new AuthConfigError(
      `${option}.key`,
      `the JWK declares alg "${String(jwk.alg)}" but the key is bound to ${alg.name}`,
    );
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new AuthConfigError(`${option}.key`, `the JWK is for use "${String(jwk.use)}", not "sig"`);
  }
  // RFC 7517 section 4.3: key_ops lists what the key may be used for; it must allow what we will do.
  const ops: unknown = jwk.key_ops;
  if (ops !== undefined && (!Array.isArray(ops) || !ops.includes(purpose))) {
    throw new AuthConfigError(`${option}.key`, `the JWK key_ops do not allow "${purpose}"`);
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') {
    throw new AuthConfigError(`${option}.key`, 'the JWK kid must be a string');
  }
}

function checkKeyFitsAlgorithm(key: KeyObject, alg: AlgorithmSpec, option: string): void {
  const where = `${option}.key`;
  if (alg.family === 'hmac') {
    if (key.type !== 'secret')
      throw new AuthConfigError(where, `${alg.name} needs a secret, not a ${key.type} key`);
    const bytes = key.symmetricKeySize ?? 0;
    if (bytes < alg.hashBytes) {
      throw new AuthConfigError(
        where,
        `an ${alg.name} secret must be at least ${alg.hashBytes} bytes (got ${bytes})`,
      );
    }
    const weakness = weakSecretReason(key.export());
    if (weakness !== undefined) {
      throw new AuthConfigError(where, `an ${alg.name} secret must be random bytes; this one ${weakness}`);
    }
    return;
  }
  if (key.type === 'secret')
    throw new AuthConfigError(where, `${alg.name} needs an asymmetric key, not a secret`);
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg.family) {
    case 'rsa':
    case 'rsa-pss':
      checkRsaKey(key, alg, where);
      return;
    case 'ecdsa':
      if (type !== 'ec' || details.namedCurve !== alg.curve) {
        throw new AuthConfigError(where, `${alg.name} needs an EC key on ${alg.curve}`);
      }
      return;
    case 'eddsa':
      if (type !== 'ed25519') throw new AuthConfigError(where, 'EdDSA needs an Ed25519 key');
      return;
  }
}

const thumbprintMembers: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

function publicJwkOf(key: KeyObject, option: string): JsonWebKey {
  let jwk: JsonWebKey;
  try {
    jwk = key.asymmetricKeyType === 'rsa-pss' ? rsaPublicJwk(key) : key.export({ format: 'jwk' });
  } catch {
    throw new AuthConfigError(`${option}.key`, 'cannot be exported as a public JWK');
  }
  const members = thumbprintMembers[jwk.kty as string] ?? [];
  const publicOnly: JsonWebKey = {};
  for (const member of members) publicOnly[member] = jwk[member];
  return publicOnly;
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
export function thumbprint(jwk: JsonWebKey): string {
  const members = thumbprintMembers[jwk.kty as string] ?? [];
  const canonical = `{${members.map((member) => `${JSON.stringify(member)}:${JSON.stringify(jwk[member])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * A stable id for a secret that reveals nothing about it: a keyed hash (a PRF output), so that
 * HMAC keys can rotate by `kid` without the user inventing names.
 */
function secretKid(key: KeyObject): string {
  return createHmac('sha256', key).update('authjwt key id').digest('base64url').slice(0, 16);
}
