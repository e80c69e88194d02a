import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Algorithm, algorithms } from '../../index.js';
import { usageError } from '../exit-codes.js';

/** A key to verify with, and the algorithms it may verify: decided by the key, never by the token. */
export interface VerificationKey {
  readonly key: KeyObject;
  readonly algorithms: readonly Algorithm[];
  /** For the output: what kind of key it was, never its material. */
  readonly description: string;
}

/** A local JWK Set file: the token's `kid` picks the key (jose's createLocalJWKSet). */
export interface VerificationKeySet {
  readonly keySet: { keys: JsonWebKey[] };
  readonly description: string;
}

export const asymmetricAlgorithms: readonly Algorithm[] = algorithms.filter((alg) => !alg.startsWith('HS'));

/**
 * Reads `--key`: a PEM (public key, certificate or private key, whose public half is used), a JWK or
 * JWK Set in JSON, or else an HMAC secret (the file's bytes, less one final newline, as the library
 * takes a secret string). `pinned` (`--alg`) narrows the algorithms to one. Messages name the file,
 * never what is in it.
 */
export function readVerificationKey(
  path: string,
  pinned: string | undefined,
): VerificationKey | VerificationKeySet {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw usageError(`cannot read the key file ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
  const text = bytes.toString('utf8');
  const pin = pinnedAlgorithm(pinned);
  if (text.includes('-----BEGIN '))
    return fromKeyObject(
      parse(path, 'PEM', () => createPublicKey(text)),
      pin,
    );
  const json = jsonObject(text);
  if (json !== undefined && Array.isArray(json.keys)) {
    if (pin?.startsWith('HS'))
      throw usageError('a JWK Set holds public keys: --alg cannot be an HS algorithm');
    return { keySet: { keys: json.keys as JsonWebKey[] }, description: `the JWK Set in ${path}` };
  }
  if (json !== undefined && typeof json.kty === 'string') return fromJwk(path, json as JsonWebKey, pin);
  // JSON that is no key is a mistake, never a secret: a key taken for an HMAC secret is algorithm confusion.
  if (text.trimStart().startsWith('{'))
    throw usageError(`the key file ${path} is JSON but neither a JWK nor a JWK Set`);
  // A secret file made with `echo` ends with a newline that is not part of the secret.
  const secret = bytes.subarray(0, bytes.length - (text.endsWith('\r\n') ? 2 : text.endsWith('\n') ? 1 : 0));
  if (secret.length === 0) throw usageError(`the key file ${path} is empty`);
  return fromKeyObject(createSecretKey(secret), pin);
}

function fromJwk(path: string, jwk: JsonWebKey, pin: Algorithm | undefined): VerificationKey {
  const declared = typeof jwk.alg === 'string' ? jwk.alg : undefined;
  if (declared !== undefined && !algorithms.some((alg) => alg === declared)) {
    throw usageError(`the JWK in ${path} declares an algorithm authjwt does not verify`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw usageError(`the JWK in ${path} is not for signatures (use)`);
  if (pin !== undefined && declared !== undefined && pin !== declared) {
    throw usageError(`--alg ${pin} contradicts the JWK's alg ${declared}`);
  }
  if (jwk.kty === 'oct') {
    const secret = typeof jwk.k === 'string' ? Buffer.from(jwk.k, 'base64url') : Buffer.alloc(0);
    if (secret.length === 0) throw usageError(`the JWK in ${path} has no secret (k)`);
    return fromKeyObject(createSecretKey(secret), (declared as Algorithm | undefined) ?? pin);
  }
  // A private JWK verifies through its public half.
  const key = parse(path, 'JWK', () => createPublicKey({ key: jwk, format: 'jwk' }));
  return fromKeyObject(key, (declared as Algorithm | undefined) ?? pin);
}

/** The algorithms a key of this type can verify (RFC 7518 section 3.1); `pin` narrows them to one. */
function fromKeyObject(key: KeyObject, pin: Algorithm | undefined): VerificationKey {
  const type = key.type === 'secret' ? 'secret' : key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const fitting: readonly Algorithm[] =
    type === 'secret'
      ? ['HS256', 'HS384', 'HS512']
      : type === 'rsa'
        ? ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
        : type === 'rsa-pss'
          ? ['PS256', 'PS384', 'PS512']
          : type === 'ec'
            ? ecAlgorithm(curve)
            : type === 'ed25519'
              ? ['EdDSA']
              : [];
  const description =
    type === 'ec'
      ? `an EC ${curve} public key`
      : type === 'secret'
        ? 'an HMAC secret'
        : `an ${type} public key`;
  if (fitting.length === 0) throw usageError(`${description} verifies none of authjwt's algorithms`);
  if (pin !== undefined && !fitting.includes(pin))
    throw usageError(`--alg ${pin} does not fit ${description}`);
  return { key, algorithms: pin === undefined ? fitting : [pin], description };
}

function ecAlgorithm(curve: string | undefined): Algorithm[] {
  if (curve === 'prime256v1') return ['ES256'];
  if (curve === 'secp384r1') return ['ES384'];
  if (curve === 'secp521r1') return ['ES512'];
  return [];
}

export function pinnedAlgorithm(value: string | undefined): Algorithm | undefined {
  if (value === undefined) return undefined;
  const found = algorithms.find((alg) => alg === value);
  if (found === undefined) throw usageError(`--alg must be one of ${algorithms.join(', ')}`);
  return found;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** node:crypto's parse errors are replaced by ours: the key file's content stays out of every message. */
function parse(path: string, format: string, read: () => KeyObject): KeyObject {
  try {
    return read();
  } catch {
    throw usageError(`the key file ${path} is not a readable ${format} key`);
  }
}
