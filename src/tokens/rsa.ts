import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AuthConfigError } from '../errors.js';
import type { AlgorithmSpec } from './algorithms.js';

const minimumRsaBits = 2048;

/**
 * Refuses an RSA key that does not fit `alg`: the wrong type, under 2048 bits, a degenerate public
 * exponent, or an RSA-PSS key whose built-in restrictions contradict RFC 7518 (MGF1 with the same
 * hash, salt as long as the digest), which would make it sign tokens no other verifier accepts.
 */
export function checkRsaKey(key: KeyObject, alg: AlgorithmSpec, where: string): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const fits = type === 'rsa' || (alg.family === 'rsa-pss' && type === 'rsa-pss');
  if (!fits) throw new AuthConfigError(where, `${alg.name} needs an RSA key, not ${String(type)}`);
  const bits = details.modulusLength ?? 0;
  if (bits < minimumRsaBits) {
    throw new AuthConfigError(where, `RSA keys must be at least ${minimumRsaBits} bits (got ${bits})`);
  }
  // e = 1 makes "signatures" that anyone can compute; an even e is not an RSA key at all.
  const exponent = details.publicExponent ?? 0n;
  if (exponent < 3n || exponent % 2n === 0n) {
    throw new AuthConfigError(where, 'the RSA public exponent must be odd and at least 3');
  }
  if (type !== 'rsa-pss') return;
  if (details.hashAlgorithm !== undefined && details.hashAlgorithm !== alg.hash) {
    throw new AuthConfigError(
      where,
      `this RSA-PSS key is restricted to ${details.hashAlgorithm}, not ${alg.hash}`,
    );
  }
  if (details.mgf1HashAlgorithm !== undefined && details.mgf1HashAlgorithm !== alg.hash) {
    throw new AuthConfigError(
      where,
      `this RSA-PSS key uses MGF1 with ${details.mgf1HashAlgorithm}; ${alg.name} needs ${alg.hash}`,
    );
  }
  if (details.saltLength !== undefined && details.saltLength > alg.hashBytes) {
    throw new AuthConfigError(
      where,
      `this RSA-PSS key needs salts of ${details.saltLength} bytes; ${alg.name} uses ${alg.hashBytes}`,
    );
  }
}

/**
 * The public JWK of an RSA key. Node cannot export an RSA-PSS (id-RSASSA-PSS) key as a JWK, so its
 * RSAPublicKey is taken out of the SPKI and re-imported as a plain RSA key: JOSE has one `RSA` kty.
 */
export function rsaPublicJwk(key: KeyObject): JsonWebKey {
  if (key.asymmetricKeyType !== 'rsa-pss') return key.export({ format: 'jwk' });
  const spki = key.export({ type: 'spki', format: 'der' });
  const outer = readTlv(spki, 0, 0x30);
  const algorithmId = readTlv(spki, outer.start, 0x30);
  const bitString = readTlv(spki, algorithmId.end, 0x03);
  // The BIT STRING's first byte counts unused bits (0 for a DER-encoded key).
  const rsaPublicKey = spki.subarray(bitString.start + 1, bitString.end);
  return createPublicKey({ key: rsaPublicKey, format: 'der', type: 'pkcs1' }).export({ format: 'jwk' });
}

/** One DER tag-length-value header; the input is Node's own export, so only shape is checked. */
function readTlv(der: Buffer, offset: number, tag: number): { start: number; end: number } {
  if (der[offset] !== tag) throw new Error('authjwt: unexpected SPKI structure');
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? 0);
    start += count;
  }
  return { start, end: start + length };
}

// ROCA (CVE-2017-15361): moduli made by the vulnerable Infineon library are, modulo each of these
// small primes, a power of 65537. A random modulus passes all 38 tests with probability about 2^-30,
// so a sound key is refused roughly once in a billion: an acceptable price for catching the weak ones.
const rocaPrimes = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107,
  109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];
const rocaResidues = rocaPrimes.map((prime) => {
  const powers = new Set<number>();
  for (let x = 1; !powers.has(x); x = (x * 65537) % prime) powers.add(x);
  return powers;
});

/** True when the base64url modulus `n` carries the ROCA fingerprint (its factors are recoverable). */
export function hasRocaFingerprint(n: string): boolean {
  const modulus = BigInt(`0x${Buffer.from(n, 'base64url').toString('hex') || '0'}`);
  return rocaPrimes.every((prime, i) => rocaResidues[i]?.has(Number(modulus % BigInt(prime))) === true);
}
