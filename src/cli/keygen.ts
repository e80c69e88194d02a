import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type Algorithm, algorithms, createTokenService } from '../index.js';
import { CliError, exitCodes, usageError } from './exit-codes.js';
import type { CommandResult } from './output.js';

export interface KeygenOptions {
  readonly alg: string;
  /** RSA modulus length; RS* and PS* only. */
  readonly bits?: string | undefined;
  /** Write the private key or secret to this new file (mode 0600) instead of stdout. */
  readonly out?: string | undefined;
}

/** What each algorithm's key is made of (RFC 7518 section 3; RFC 8037 for EdDSA). */
const ecCurves: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
const rsaBits = ['2048', '3072', '4096'];

/**
 * A new signing key for `alg`: for HS* a random secret as long as the hash (RFC 7518 section 3.2),
 * otherwise a private key in PKCS#8 PEM and its public JWK. The key goes through the library's own
 * key checks (`createTokenService`), so the `kid` printed is the one an auth instance configured with
 * this key uses: the RFC 7638 thumbprint, or for a secret an id derived from it that reveals nothing.
 */
export function keygen(options: KeygenOptions): CommandResult {
  const alg = algorithmOf(options.alg);
  if (options.bits !== undefined && !alg.startsWith('RS') && !alg.startsWith('PS')) {
    throw usageError('--bits applies to RS* and PS* keys only');
  }
  if (alg.startsWith('HS')) return secret(alg, options.out);
  const privateKey = generatePrivateKey(alg, options.bits);
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const service = createTokenService({ signingKey: { alg, key: pem } });
  const publicJwk = service.jwks().keys[0];
  const kid = service.keys.list()[0]?.kid;
  if (publicJwk === undefined || kid === undefined) throw new CliError('failed', 'no public key was derived');
  if (options.out !== undefined) writePrivateFile(options.out, pem);
  const jwkText = JSON.stringify(publicJwk, null, 2);
  return {
    exitCode: exitCodes.ok,
    json: {
      alg,
      kid,
      ...(options.out === undefined ? { privateKeyPem: pem } : { privateKeyFile: options.out }),
      publicJwk,
    },
    text: options.out === undefined ? `${pem.trimEnd()}\n${jwkText}` : jwkText,
  };
}

function algorithmOf(value: string): Algorithm {
  const found = algorithms.find((name) => name === value);
  if (found !== undefined) return found;
  if (value.toLowerCase() === 'none') throw usageError('"none" is not a signing algorithm');
  throw usageError(`--alg must be one of ${algorithms.join(', ')}`);
}

function secret(alg: Algorithm, out: string | undefined): CommandResult {
  // As many random bytes as the hash is long, written as base64url: the library takes the text itself
  // as the secret (JWT_SECRET), which is then longer than the hash and holds all the randomness.
  const value = randomBytes(Number(alg.slice(2)) / 8).toString('base64url');
  const kid = createTokenService({ signingKey: { alg, key: value } }).keys.list()[0]?.kid;
  if (kid === undefined) throw new CliError('failed', 'no key id was derived');
  if (out !== undefined) writePrivateFile(out, value);
  const note = 'an HMAC secret is never published: it has no public JWK';
  return {
    exitCode: exitCodes.ok,
    json: { alg, kid, ...(out === undefined ? { secret: value } : { secretFile: out }), publicJwk: null },
    text: out === undefined ? `${value}\nkid ${kid} (${note})` : `kid ${kid} (${note})`,
  };
}

function generatePrivateKey(alg: Algorithm, bits: string | undefined): KeyObject {
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (bits !== undefined && !rsaBits.includes(bits)) {
      throw usageError(`--bits must be one of ${rsaBits.join(', ')}`);
    }
    // A plain RSA key serves PS* too (RFC 7518 section 3.5), and every JOSE library reads it.
    return generateKeyPairSync('rsa', { modulusLength: Number(bits ?? 2048) }).privateKey;
  }
  const curve = ecCurves[alg];
  if (curve !== undefined) return generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
  return generateKeyPairSync('ed25519').privateKey;
}

/** Created, never overwritten (an existing key may be in use), readable by its owner only. */
function writePrivateFile(path: string, content: string): void {
  try {
    writeFileSync(path, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      code === 'EEXIST' ? `${path} exists; keygen never overwrites a key` : `cannot write ${path} (${code})`,
    );
  }
}
