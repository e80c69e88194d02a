/**
 * Construction: every misconfiguration is refused once, at start-up, with an AuthConfigError whose
 * message names the option. Plus the key ring (rotation, kid lookup), the published JWKS, the
 * RFC 7638 thumbprint, and the base64url and duration helpers the core relies on.
 */
import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  type RSAPSSKeyPairKeyObjectOptions,
  randomBytes,
  sign,
} from 'node:crypto';
import fc from 'fast-check';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthConfigError, AuthError } from '../../src/errors.js';
import { parseDuration, parseDurationMs } from '../../src/internal/duration.js';
import { type Algorithm, algorithmSpecs, algorithms, verifyBytes } from '../../src/tokens/algorithms.js';
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from '../../src/tokens/base64url.js';
import { constantTimeEqual } from '../../src/tokens/constant-time.js';
import { createKeyRing } from '../../src/tokens/key-ring.js';
import { type KeyInput, resolveKey, thumbprint } from '../../src/tokens/keys.js';
import { hasRocaFingerprint, rsaPublicJwk } from '../../src/tokens/rsa.js';
import { createTokenService, type TokenOptions } from '../../src/tokens/token-service.js';
import { b64u, compact, configRefusal, fixedClock, fixedNowSeconds, refusal } from './helpers.js';

interface RsaOptions {
  modulusLength: number;
  hashAlgorithm?: string;
  mgf1HashAlgorithm?: string;
  saltLength?: number;
}

/** Async generation runs on the thread pool, so the RSA keys of this file are made in parallel. */
const generate = (type: 'rsa' | 'rsa-pss', options: RsaOptions): Promise<Pair> =>
  new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error === null ? resolve({ publicKey, privateKey }) : reject(error);
    if (type === 'rsa') generateKeyPair('rsa', { modulusLength: options.modulusLength }, done);
    // @types/node types saltLength as a string; Node takes a number of bytes.
    else generateKeyPair('rsa-pss', options as unknown as RSAPSSKeyPairKeyObjectOptions, done);
  });

/** Asserts construction fails with an AuthConfigError naming `option` and saying `fragment`. */
function expectRefused(build: () => unknown, option: string, fragment: string | RegExp): void {
  const error = configRefusal(build);
  expect(error.option).toBe(option);
  expect(error.message).toContain(`option \`${option}\``);
  if (typeof fragment === 'string') expect(error.message).toContain(fragment);
  else expect(error.message).toMatch(fragment);
}

const service = (options: TokenOptions) => createTokenService({ clock: fixedClock, ...options });
const secret32 = randomBytes(32);

interface Pair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}
let rsa: Pair;
let rsa1024: Pair;
let p256: Pair;
let p384: Pair;
let p521: Pair;
let ed25519: Pair;
let ed448: Pair;
let pss: Pair;
let pssSha384: Pair;
let pssMgf1Sha1: Pair;
let pssSalt64: Pair;

beforeAll(async () => {
  // Generated in parallel on the thread pool: RSA generation is the slow part of this file.
  [rsa, rsa1024, pss, pssSha384, pssMgf1Sha1, pssSalt64] = await Promise.all([
    generate('rsa', { modulusLength: 2048 }),
    generate('rsa', { modulusLength: 1024 }),
    generate('rsa-pss', { modulusLength: 2048 }),
    generate('rsa-pss', {
      modulusLength: 2048,
      hashAlgorithm: 'sha384',
      mgf1HashAlgorithm: 'sha384',
      saltLength: 48,
    }),
    generate('rsa-pss', {
      modulusLength: 2048,
      hashAlgorithm: 'sha256',
      mgf1HashAlgorithm: 'sha1',
      saltLength: 32,
    }),
    generate('rsa-pss', {
      modulusLength: 2048,
      hashAlgorithm: 'sha256',
      mgf1HashAlgorithm: 'sha256',
      saltLength: 64,
    }),
  ]);
  p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  ed25519 = generateKeyPairSync('ed25519');
  ed448 = generateKeyPairSync('ed448');
});

it('the public entry point exports the same service and error classes these suites test', async () => {
  const api = await import('authjwt');
  expect(api.createTokenService).toBe(createTokenService);
  expect(api.AuthError).toBe(AuthError);
  expect(api.AuthConfigError).toBe(AuthConfigError);
  expect(api.algorithms).toEqual(algorithms);
  expect(typeof api.createAuth).toBe('function');
});

describe('HMAC secrets', () => {
  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)(
    '%s refuses a secret shorter than %i bytes and accepts one of exactly that length',
    (alg, bytes) => {
      expectRefused(
        () => service({ signingKey: { alg, key: randomBytes(bytes - 1) } }),
        'signingKey.key',
        `an ${alg} secret must be at least ${bytes} bytes (got ${bytes - 1})`,
      );
      expectRefused(
        () => service({ signingKey: { alg, key: 'x'.repeat(bytes - 1) } }),
        'signingKey.key',
        `at least ${bytes} bytes`,
      );
      expectRefused(
        () =>
          service({
            signingKey: { alg, key: { kty: 'oct', k: randomBytes(bytes - 1).toString('base64url') } },
          }),
        'signingKey.key',
        `at least ${bytes} bytes`,
      );
      expectRefused(
        () =>
          service({
            signingKey: { alg: 'HS512', key: randomBytes(64) },
            verificationKeys: [{ alg, key: createSecretKey(randomBytes(bytes - 1)) }],
          }),
        'verificationKeys[0].key',
        `at least ${bytes} bytes`,
      );
      expect(
        service({ signingKey: { alg, key: randomBytes(bytes) } }).signAccessToken({ subject: 'u' }).token,
      ).toBeTruthy();
    },
  );

  it('counts a string secret in UTF-8 bytes', () => {
    // 16 two-byte characters are 32 bytes.
    const accented = 'éèêëàâäôöûüùçîïñ';
    expect(() => service({ signingKey: { alg: 'HS256', key: accented } })).not.toThrow();
    expectRefused(
      () => service({ signingKey: { alg: 'HS256', key: accented.slice(0, 15) } }),
      'signingKey.key',
      '(got 30)',
    );
  });

  it('refuses a secret of one byte repeated, in every form a secret takes, naming the option', () => {
    const same = Buffer.alloc(32, 0x6b);
    const refusedAs = (option: string, build: () => unknown) =>
      expectRefused(build, option, 'an HS256 secret must be random bytes; this one repeats a short pattern');
    refusedAs('signingKey.key', () => service({ signingKey: { alg: 'HS256', key: same } }));
    refusedAs('signingKey.key', () => service({ signingKey: { alg: 'HS256', key: 'k'.repeat(32) } }));
    refusedAs('signingKey.key', () =>
      service({ signingKey: { alg: 'HS256', key: { kty: 'oct', k: same.toString('base64url') } } }),
    );
    refusedAs('signingKey.key', () => service({ signingKey: { alg: 'HS256', key: createSecretKey(same) } }));
    refusedAs('verificationKeys[0].key', () =>
      service({
        signingKey: { alg: 'HS256', key: secret32 },
        verificationKeys: [{ alg: 'HS256', key: same }],
      }),
    );
  });

  it.each([
    ['two bytes alternating', 'HS256', 'ab'.repeat(16), 'repeats a short pattern'],
    [
      'a word repeated, the last copy cut short',
      'HS256',
      'password1'.repeat(4).slice(0, 32),
      'repeats a short pattern',
    ],
    ['sixteen hex digits twice', 'HS256', '0123456789abcdef'.repeat(2), 'repeats a short pattern'],
    ['a key padded with zeros', 'HS256', `${'0'.repeat(28)}1234`, 'uses too few distinct byte values'],
    [
      'two halves of one byte each',
      'HS512',
      `${'a'.repeat(32)}${'b'.repeat(32)}`,
      'uses too few distinct byte values',
    ],
    ['one byte changed', 'HS384', `${'x'.repeat(47)}y`, 'uses too few distinct byte values'],
  ] as const)('refuses %s as an %s secret, without quoting it', (_name, alg, key, why) => {
    const error = configRefusal(() => service({ signingKey: { alg, key } }));
    expect(error.option).toBe('signingKey.key');
    expect(error.message).toContain(`an ${alg} secret must be random bytes; this one ${why}`);
    expect(error.message).not.toContain(key.slice(0, 8));
  });

  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)(
    'accepts 1,000 random %s secrets of the minimum length %i, as bytes, hex, base64url or digits',
    (alg, bytes) => {
      const forms = {
        bytes: () => randomBytes(bytes),
        hex: () => randomBytes(bytes / 2).toString('hex'),
        base64url: () => randomBytes(bytes).toString('base64url').slice(0, bytes),
        digits: () => Array.from(randomBytes(bytes), (byte) => String(byte % 10)).join(''),
      };
      const refused: string[] = [];
      for (const [form, make] of Object.entries(forms)) {
        for (let draw = 0; draw < 1000; draw++) {
          try {
            resolveKey({ alg, key: make() }, 'signingKey', 'sign');
          } catch (error) {
            refused.push(`${form}: ${(error as Error).message}`);
          }
        }
      }
      expect(refused).toEqual([]);
    },
  );

  it('refuses an HMAC JWK that is not kty oct or whose k is not canonical base64url', () => {
    expectRefused(
      () => service({ signingKey: { alg: 'HS256', key: { kty: 'RSA', k: secret32.toString('base64url') } } }),
      'signingKey.key',
      'kty "oct"',
    );
    expectRefused(
      () =>
        service({
          signingKey: { alg: 'HS256', key: { kty: 'oct', k: `${secret32.toString('base64url')}=` } },
        }),
      'signingKey.key',
      'the JWK "k" is not base64url',
    );
  });

  it('refuses a PEM or JWK key given as an HMAC secret (the algorithm-confusion precondition)', () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    expectRefused(
      () => service({ signingKey: { alg: 'HS256', key: pem } }),
      'signingKey.key',
      'not a PEM or JWK key',
    );
    expectRefused(
      () =>
        service({
          signingKey: { alg: 'HS256', key: JSON.stringify(p256.publicKey.export({ format: 'jwk' })) },
        }),
      'signingKey.key',
      'not a PEM or JWK key',
    );
  });
});

describe('algorithms and key types', () => {
  it.each([
    'none',
    'None',
    'NONE',
    '',
    'HS1',
    'RS128',
    'ES256K',
    'ES521',
    'Ed25519',
    'EdDSA ',
    'hs256',
    undefined,
    null,
    256,
  ])('alg %j is refused, naming signingKey.alg', (alg) => {
    expectRefused(
      () => service({ signingKey: { alg: alg as Algorithm, key: secret32 } }),
      'signingKey.alg',
      'is not a supported algorithm (none is never accepted)',
    );
  });

  it('refuses a key whose type does not fit the algorithm', () => {
    const cases: [Algorithm, KeyInput['key'], string][] = [
      ['RS256', p256.privateKey, 'RS256 needs an RSA key, not ec'],
      ['PS256', ed25519.privateKey, 'PS256 needs an RSA key, not ed25519'],
      ['ES384', p256.privateKey, 'ES384 needs an EC key on secp384r1'],
      ['ES256', p384.privateKey, 'ES256 needs an EC key on prime256v1'],
      ['ES512', p384.privateKey, 'ES512 needs an EC key on secp521r1'],
      ['ES256', ed25519.privateKey, 'ES256 needs an EC key on prime256v1'],
      ['ES256', rsa.privateKey, 'ES256 needs an EC key on prime256v1'],
      ['EdDSA', p256.privateKey, 'EdDSA needs an Ed25519 key'],
      ['EdDSA', ed448.privateKey, 'EdDSA needs an Ed25519 key'],
      ['RS256', createSecretKey(secret32), 'RS256 needs an asymmetric key, not a secret'],
      ['ES256', createSecretKey(secret32), 'ES256 needs an asymmetric key, not a secret'],
      ['RS256', secret32.toString('hex'), 'cannot be read as a RS256 key'],
      ['RS256', pss.privateKey, 'RS256 needs an RSA key, not rsa-pss'],
      // A private KeyObject is reduced to its public half first, hence the wording.
      ['HS256', p256.privateKey, 'HS256 needs a secret, not a public key'],
      ['HS256', rsa.publicKey, 'HS256 needs a secret, not a public key'],
    ];
    for (const [alg, key, fragment] of cases) {
      expectRefused(() => service({ signingKey: { alg, key } }), 'signingKey.key', fragment);
    }
  });

  it('refuses RSA under 2048 bits, in every form the key can take', () => {
    for (const key of [
      rsa1024.privateKey,
      rsa1024.publicKey,
      rsa1024.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      rsa1024.publicKey.export({ type: 'pkcs1', format: 'pem' }),
      rsa1024.publicKey.export({ format: 'jwk' }),
    ]) {
      expectRefused(
        () => service({ verificationKeys: [{ alg: 'RS256', key }] }),
        'verificationKeys[0].key',
        'RSA keys must be at least 2048 bits (got 1024)',
      );
    }
  });

  it('refuses a public key as the signing key', () => {
    for (const [alg, key] of [
      ['RS256', rsa.publicKey],
      ['ES256', p256.publicKey.export({ type: 'spki', format: 'pem' })],
      ['EdDSA', ed25519.publicKey.export({ format: 'jwk' })],
    ] as [Algorithm, KeyInput['key']][]) {
      expectRefused(() => service({ signingKey: { alg, key } }), 'signingKey', 'is a public key');
    }
  });

  it('refuses RSA public exponents that make signatures trivial (e = 1) or that are not RSA (even)', () => {
    const { n } = rsa.publicKey.export({ format: 'jwk' });
    for (const e of ['AQ', 'Ag', 'BA']) {
      expectRefused(
        () => service({ verificationKeys: [{ alg: 'RS256', key: { kty: 'RSA', n: n as string, e } }] }),
        'verificationKeys[0].key',
        'the RSA public exponent must be odd and at least 3',
      );
    }
    expect(() =>
      service({ verificationKeys: [{ alg: 'RS256', key: { kty: 'RSA', n: n as string, e: 'Aw' } }] }),
    ).not.toThrow();
  });

  it('refuses JWKs whose alg, use or key_ops contradict how they are configured', () => {
    const jwk = p256.privateKey.export({ format: 'jwk' });
    const { d: _d, ...publicJwk } = jwk;
    const cases: [KeyInput, 'sign' | 'verify', string][] = [
      [
        { alg: 'ES256', key: { ...jwk, alg: 'ES384' } },
        'sign',
        'the JWK declares alg "ES384" but the key is bound to ES256',
      ],
      [{ alg: 'ES256', key: { ...jwk, use: 'enc' } }, 'sign', 'the JWK is for use "enc", not "sig"'],
      [{ alg: 'ES256', key: { ...jwk, key_ops: ['verify'] } }, 'sign', 'the JWK key_ops do not allow "sign"'],
      [
        { alg: 'ES256', key: { ...publicJwk, key_ops: ['sign'] } },
        'verify',
        'the JWK key_ops do not allow "verify"',
      ],
      [
        { alg: 'ES256', key: { ...publicJwk, key_ops: 'verify' } },
        'verify',
        'the JWK key_ops do not allow "verify"',
      ],
      [
        { alg: 'HS256', key: { kty: 'oct', k: secret32.toString('base64url'), alg: 'A256GCM' } },
        'sign',
        'declares alg "A256GCM"',
      ],
      [
        { alg: 'HS256', key: { kty: 'oct', k: secret32.toString('base64url'), use: 'enc' } },
        'sign',
        'use "enc"',
      ],
      [
        { alg: 'HS256', key: { kty: 'oct', k: secret32.toString('base64url'), key_ops: ['encrypt'] } },
        'sign',
        'key_ops',
      ],
    ];
    for (const [input, purpose, fragment] of cases) {
      const build = () =>
        purpose === 'sign' ? service({ signingKey: input }) : service({ verificationKeys: [input] });
      expectRefused(build, purpose === 'sign' ? 'signingKey.key' : 'verificationKeys[0].key', fragment);
    }
    // Matching intent is fine: WebCrypto exports private keys with key_ops ["sign"].
    expect(() =>
      service({ signingKey: { alg: 'ES256', key: { ...jwk, alg: 'ES256', use: 'sig', key_ops: ['sign'] } } }),
    ).not.toThrow();
    expect(() =>
      service({ verificationKeys: [{ alg: 'ES256', key: { ...publicJwk, key_ops: ['verify'] } }] }),
    ).not.toThrow();
  });

  it('refuses an RSA modulus with the ROCA fingerprint, and not ordinary moduli', () => {
    expect(hasRocaFingerprint(rsa.publicKey.export({ format: 'jwk' }).n as string)).toBe(false);
    expect(hasRocaFingerprint(rsaJwkOf(pss.publicKey).n as string)).toBe(false);
    // n = 65537 (mod p) for each of the detector's 38 primes puts n in every residue class a
    // vulnerable Infineon key lands in; the high part is random. (The real ROCA key from
    // Wycheproof is refused in wycheproof.test.ts.)
    const primes = [
      3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
      107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    const product = primes.reduce((acc, prime) => acc * BigInt(prime), 1n);
    const modulus = 65537n + product * BigInt(`0x${randomBytes(240).toString('hex')}`);
    const hex = modulus.toString(16);
    const n = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
    expect(hasRocaFingerprint(n)).toBe(true);
    expectRefused(
      () => service({ verificationKeys: [{ alg: 'RS256', key: { kty: 'RSA', n, e: 'AQAB' } }] }),
      'verificationKeys[0].key',
      'this RSA key has the ROCA weakness (CVE-2017-15361)',
    );
  });
});

function rsaJwkOf(key: KeyObject): JsonWebKey {
  return resolveKey({ alg: 'PS256', key }, 'key').publicJwk ?? {};
}

describe('RSA-PSS: only the RFC 7518 parameters (MGF1 with the same hash, salt = hash length)', () => {
  it('accepts an unrestricted RSA-PSS key for PS256, signs tokens jose verifies through our JWKS', async () => {
    const ours = service({ signingKey: { alg: 'PS256', key: pss.privateKey, kid: 'pss-1' } });
    const { token } = ours.signAccessToken({ subject: 'user-1' });
    const jwks = ours.jwks();
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'PS256', kid: 'pss-1', use: 'sig', e: 'AQAB' });
    expect(Object.keys(jwks.keys[0] ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    const { payload } = await jwtVerify(
      token,
      createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
      {
        currentDate: new Date(fixedNowSeconds * 1000),
      },
    );
    expect(payload.sub).toBe('user-1');
    // The same key as a plain RSA public key verifies our token too (one JOSE kty for both).
    const plain = service({ verificationKeys: [{ alg: 'PS256', key: jwks.keys[0] as JsonWebKey }] });
    expect(plain.verifyAccessToken(token).sub).toBe('user-1');
  });

  it('refuses RSA-PSS keys restricted to another hash, another MGF1 hash, or a longer salt', () => {
    expectRefused(
      () => service({ signingKey: { alg: 'PS256', key: pssSha384.privateKey } }),
      'signingKey.key',
      'restricted to sha384, not sha256',
    );
    expectRefused(
      () => service({ signingKey: { alg: 'PS256', key: pssMgf1Sha1.privateKey } }),
      'signingKey.key',
      'uses MGF1 with sha1; PS256 needs sha256',
    );
    expectRefused(
      () => service({ signingKey: { alg: 'PS256', key: pssSalt64.privateKey } }),
      'signingKey.key',
      'needs salts of 64 bytes; PS256 uses 32',
    );
    // A sha384-restricted key is fine for PS384, where its parameters are the RFC's.
    expect(() => service({ signingKey: { alg: 'PS384', key: pssSha384.privateKey } })).not.toThrow();
  });

  it('verifyBytes refuses PSS signatures with another salt length or another MGF1 hash', () => {
    const input = 'header.payload';
    const ps256 = algorithmSpecs.PS256;
    const pssSign = (key: KeyObject, saltLength: number) =>
      sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    expect(verifyBytes(ps256, rsa.publicKey, input, pssSign(rsa.privateKey, 32))).toBe(true);
    for (const saltLength of [0, 20, 31, 33, 64]) {
      expect(
        verifyBytes(ps256, rsa.publicKey, input, pssSign(rsa.privateKey, saltLength)),
        `salt ${saltLength}`,
      ).toBe(false);
    }
    // MGF1-SHA1 (the key's restriction) under a plain RSA view of the same key: refused.
    const plain = createPublicKey({ key: rsaPublicJwk(pssMgf1Sha1.publicKey), format: 'jwk' });
    expect(verifyBytes(ps256, plain, input, pssSign(pssMgf1Sha1.privateKey, 32))).toBe(false);
    // PKCS#1 v1.5 under a PS alg and the reverse: refused.
    expect(verifyBytes(ps256, rsa.publicKey, input, sign('sha256', Buffer.from(input), rsa.privateKey))).toBe(
      false,
    );
    expect(verifyBytes(algorithmSpecs.RS256, rsa.publicKey, input, pssSign(rsa.privateKey, 32))).toBe(false);
  });
});

describe('kids and the key ring', () => {
  it('refuses duplicate kids, naming verificationKeys', () => {
    expectRefused(
      () =>
        service({
          signingKey: { alg: 'HS256', key: secret32, kid: 'k' },
          verificationKeys: [{ alg: 'ES256', key: p256.publicKey, kid: 'k' }],
        }),
      'verificationKeys',
      'two keys share the kid "k"',
    );
    // The same secret twice gets the same derived kid.
    expectRefused(
      () =>
        service({
          signingKey: { alg: 'HS256', key: secret32 },
          verificationKeys: [{ alg: 'HS256', key: secret32 }],
        }),
      'verificationKeys',
      'share the kid',
    );
    // The same public key twice gets the same thumbprint kid.
    expectRefused(
      () =>
        service({
          verificationKeys: [
            { alg: 'ES256', key: p256.publicKey },
            { alg: 'ES256', key: p256.publicKey.export({ format: 'jwk' }) },
          ],
        }),
      'verificationKeys',
      'share the kid',
    );
  });

  it('refuses an empty, over-long or non-string kid, and a kid contradicting the JWK', () => {
    for (const kid of ['', 'k'.repeat(257), 7]) {
      expectRefused(
        () => service({ signingKey: { alg: 'HS256', key: secret32, kid: kid as string } }),
        'signingKey.kid',
        'must be a non-empty string of at most 256 characters',
      );
    }
    expect(() =>
      service({ signingKey: { alg: 'HS256', key: secret32, kid: 'k'.repeat(256) } }),
    ).not.toThrow();
    const jwk = { ...p256.publicKey.export({ format: 'jwk' }), kid: 'from-jwk' };
    expectRefused(
      () => service({ verificationKeys: [{ alg: 'ES256', key: jwk, kid: 'from-option' }] }),
      'verificationKeys[0].kid',
      'the JWK says kid "from-jwk"',
    );
    expect(createKeyRing({ verificationKeys: [{ alg: 'ES256', key: jwk }] }).keys[0]?.kid).toBe('from-jwk');
    expectRefused(
      () => service({ verificationKeys: [{ alg: 'ES256', key: { ...jwk, kid: 42 } }] }),
      'verificationKeys[0].key',
      'the JWK kid must be a string',
    );
  });

  it('requires some key, and an array for verificationKeys', () => {
    expectRefused(() => service({}), 'signingKey', 'is required (or give verificationKeys)');
    expectRefused(() => service({ verificationKeys: [] }), 'signingKey', 'is required');
    expectRefused(
      () => service({ verificationKeys: { alg: 'HS256', key: secret32 } as unknown as KeyInput[] }),
      'verificationKeys',
      'must be an array',
    );
    expectRefused(
      () => service({ signingKey: null as unknown as KeyInput }),
      'signingKey',
      'must be an object',
    );
    expectRefused(
      () => createTokenService(undefined as unknown as TokenOptions),
      'options',
      'must be an object',
    );
  });

  it('a verify-only service refuses to sign, naming signingKey', () => {
    const verifyOnly = service({ verificationKeys: [{ alg: 'ES256', key: p256.publicKey }] });
    expectRefused(
      () => verifyOnly.signAccessToken({ subject: 'u' }),
      'signingKey',
      'is required to issue tokens',
    );
  });

  describe('rotation', () => {
    const oldSecret = randomBytes(32);
    const newSecret = randomBytes(32);
    const oldService = () => service({ signingKey: { alg: 'HS256', key: oldSecret, kid: 'old' } });
    const rotatingService = () =>
      service({
        signingKey: { alg: 'HS256', key: newSecret, kid: 'new' },
        verificationKeys: [{ alg: 'HS256', key: oldSecret, kid: 'old' }],
      });

    it('the old key still verifies its tokens while the new key signs', () => {
      const oldToken = oldService().signAccessToken({ subject: 'u' }).token;
      const rotated = rotatingService();
      expect(rotated.verifyAccessToken(oldToken).sub).toBe('u');
      const newToken = rotated.signAccessToken({ subject: 'u' }).token;
      expect(JSON.parse(Buffer.from(newToken.split('.')[0] ?? '', 'base64url').toString())).toEqual({
        alg: 'HS256',
        typ: 'at+jwt',
        kid: 'new',
      });
      expect(rotated.verifyAccessToken(newToken).sub).toBe('u');
      // The not-yet-rotated instance does not know the new kid.
      expect(refusal(() => oldService().verifyAccessToken(newToken))).toEqual({
        code: 'token_invalid',
        reason: 'kid_unknown',
      });
      // Once the old key is dropped, its tokens stop verifying.
      const after = service({ signingKey: { alg: 'HS256', key: newSecret, kid: 'new' } });
      expect(refusal(() => after.verifyAccessToken(oldToken))).toEqual({
        code: 'token_invalid',
        reason: 'kid_unknown',
      });
    });

    it('rotation may change the algorithm: HS256 to ES256, each key pinned to its own', () => {
      const oldToken = oldService().signAccessToken({ subject: 'u' }).token;
      const rotated = service({
        signingKey: { alg: 'ES256', key: p256.privateKey, kid: 'ec' },
        verificationKeys: [{ alg: 'HS256', key: oldSecret, kid: 'old' }],
      });
      expect(rotated.verifyAccessToken(oldToken).sub).toBe('u');
      expect(rotated.verifyAccessToken(rotated.signAccessToken({ subject: 'u' }).token).sub).toBe('u');
      expect(rotated.jwks().keys.map((key) => key.kid)).toEqual(['ec']);
    });

    it('an unknown kid is refused', () => {
      const token = compact({ alg: 'HS256', typ: 'at+jwt', kid: 'older' }, { sub: 'u' }, () => 'AAAA');
      expect(refusal(() => rotatingService().verifyAccessToken(token))).toEqual({
        code: 'token_invalid',
        reason: 'kid_unknown',
      });
    });

    it('a token without kid is accepted only by a ring of exactly one key', () => {
      // The HS256 MAC, computed independently of our signer.
      const hmac = (key: Buffer) => (input: string) => createHmac('sha256', key).update(input).digest();
      const claims = { sub: 'u', iat: fixedNowSeconds, exp: fixedNowSeconds + 60, type: 'access' };
      const noKid = compact({ alg: 'HS256', typ: 'at+jwt' }, claims, hmac(oldSecret));
      expect(oldService().verifyAccessToken(noKid).sub).toBe('u');
      expect(refusal(() => rotatingService().verifyAccessToken(noKid))).toEqual({
        code: 'token_invalid',
        reason: 'kid_unknown',
      });
      const noKidNew = compact({ alg: 'HS256', typ: 'at+jwt' }, claims, hmac(newSecret));
      expect(refusal(() => rotatingService().verifyAccessToken(noKidNew))).toEqual({
        code: 'token_invalid',
        reason: 'kid_unknown',
      });
    });
  });
});

describe('the published JWKS', () => {
  it('holds public keys with kid, alg and use, and never private members or HMAC secrets', () => {
    const ours = service({
      signingKey: { alg: 'RS256', key: rsa.privateKey, kid: 'rsa' },
      verificationKeys: [
        { alg: 'HS256', key: secret32, kid: 'hmac' },
        { alg: 'ES512', key: p521.privateKey.export({ type: 'pkcs8', format: 'pem' }), kid: 'ec' },
        { alg: 'EdDSA', key: ed25519.privateKey.export({ format: 'jwk' }), kid: 'ed' },
      ],
    });
    const { keys } = ours.jwks();
    expect(keys.map((key) => [key.kid, key.alg, key.use, key.kty])).toEqual([
      ['rsa', 'RS256', 'sig', 'RSA'],
      ['ec', 'ES512', 'sig', 'EC'],
      ['ed', 'EdDSA', 'sig', 'OKP'],
    ]);
    expect(keys.map((key) => Object.keys(key).sort())).toEqual([
      ['alg', 'e', 'kid', 'kty', 'n', 'use'],
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
      ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
    ]);
    const text = JSON.stringify(ours.jwks());
    expect(text).not.toContain(secret32.toString('base64url'));
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"', '"k"', '"oth"'])
      expect(text).not.toContain(member);
    // Each published key is the public half of the configured one.
    expect(createPublicKey({ key: keys[0] as JsonWebKey, format: 'jwk' }).equals(rsa.publicKey)).toBe(true);
  });

  it('is empty under HMAC only, and a fresh copy each call', () => {
    expect(service({ signingKey: { alg: 'HS512', key: randomBytes(64) } }).jwks()).toEqual({ keys: [] });
    const ours = service({ signingKey: { alg: 'ES256', key: p256.privateKey } });
    const first = ours.jwks();
    (first.keys[0] as JsonWebKey).kid = 'tampered';
    first.keys.push({ kty: 'oct', k: 'AAAA' });
    expect(ours.jwks().keys).toHaveLength(1);
    expect(ours.jwks().keys[0]?.kid).not.toBe('tampered');
  });

  it('defaults each asymmetric kid to the RFC 7638 thumbprint, as jose computes it', async () => {
    for (const [alg, key] of [
      ['RS256', rsa.privateKey],
      ['ES384', p384.privateKey],
      ['EdDSA', ed25519.privateKey],
    ] as [Algorithm, KeyObject][]) {
      const [published] = service({ signingKey: { alg, key } }).jwks().keys;
      expect(published?.kid).toBe(
        await calculateJwkThumbprint(published as Parameters<typeof calculateJwkThumbprint>[0]),
      );
    }
  });

  it('derives a stable HMAC kid that does not reveal the secret', () => {
    const a = createKeyRing({ signingKey: { alg: 'HS256', key: secret32 } }).keys[0]?.kid;
    const b = createKeyRing({ signingKey: { alg: 'HS256', key: Buffer.from(secret32) } }).keys[0]?.kid;
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(createKeyRing({ signingKey: { alg: 'HS256', key: randomBytes(32) } }).keys[0]?.kid).not.toBe(a);
  });
});

describe('RFC 7638 thumbprint', () => {
  // RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint.
  const rfc7638Jwk = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  };

  it('matches the known answer NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', () => {
    expect(thumbprint(rfc7638Jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('ignores optional members and member order', () => {
    const { n, e, kty } = rfc7638Jwk;
    expect(thumbprint({ n, e, kty })).toBe(thumbprint({ e, kty, n, use: 'sig', key_ops: ['verify'] }));
  });

  it('is the default kid of that key, unless the JWK names its own', () => {
    const { kid: _kid, alg: _alg, ...bare } = rfc7638Jwk;
    expect(resolveKey({ alg: 'RS256', key: bare }, 'key').kid).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
    expect(resolveKey({ alg: 'RS256', key: rfc7638Jwk }, 'key').kid).toBe('2011-04-29');
  });
});

describe('other options', () => {
  it('leeway: at most 300 seconds, never negative', () => {
    for (const leeway of [0, 300, '5m', '300s'])
      expect(() => service({ signingKey: { alg: 'HS256', key: secret32 }, leeway })).not.toThrow();
    for (const [leeway, fragment] of [
      [301, 'must be at most 300 seconds'],
      ['6m', 'must be at most 300 seconds'],
      ['1h', 'must be at most 300 seconds'],
      [-1, 'must be at least 0 seconds'],
      [1.5, 'whole number'],
    ] as const) {
      expectRefused(
        () => service({ signingKey: { alg: 'HS256', key: secret32 }, leeway }),
        'leeway',
        fragment,
      );
    }
  });

  it.each(['accessTtl', 'refreshTtl', 'freshTtl'] as const)(
    '%s: bad durations are refused, naming the option',
    (option) => {
      for (const value of [
        0,
        -1,
        1.5,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        '',
        '15 minutes',
        '1.5h',
        '15M',
        'abc',
        '-5m',
        '1e3',
      ]) {
        expectRefused(
          () => service({ signingKey: { alg: 'HS256', key: secret32 }, [option]: value }),
          option,
          /./,
        );
      }
      // (null and undefined mean "use the default", as with any option left out.)
      for (const value of [{}, true, ['15m']]) {
        expectRefused(
          () =>
            service({ signingKey: { alg: 'HS256', key: secret32 }, [option]: value as unknown as number }),
          option,
          'must be a number of seconds or a string like "15m"',
        );
      }
      // Far-future lifetimes would overflow exp (a string of many digits is Infinity seconds).
      for (const value of ['9'.repeat(400), '3661d', 10 * 366 * 86_400 + 1]) {
        expectRefused(
          () => service({ signingKey: { alg: 'HS256', key: secret32 }, [option]: value }),
          option,
          'must be at most',
        );
      }
      expect(() => service({ signingKey: { alg: 'HS256', key: secret32 }, [option]: '3660d' })).not.toThrow();
    },
  );

  it('a per-token ttl is checked the same way, naming ttl', () => {
    const ours = service({ signingKey: { alg: 'HS256', key: secret32 } });
    expect(ours.signAccessToken({ subject: 'u', ttl: '90s' }).expiresIn).toBe(90);
    for (const ttl of [0, 'forever', '9'.repeat(400)])
      expectRefused(() => ours.signAccessToken({ subject: 'u', ttl }), 'ttl', /./);
  });

  it('issuer and audience: non-empty strings or arrays of them', () => {
    for (const option of ['issuer', 'audience'] as const) {
      for (const value of ['', [], [''], ['ok', 7], 7, { iss: 'x' }]) {
        expectRefused(
          () =>
            service({ signingKey: { alg: 'HS256', key: secret32 }, [option]: value as unknown as string }),
          option,
          'must be a non-empty string or an array of them',
        );
      }
    }
  });

  it('maxTokenLength: a whole number of at least 256', () => {
    for (const maxTokenLength of [255, 0, -1, 1000.5, Number.NaN]) {
      expectRefused(
        () => service({ signingKey: { alg: 'HS256', key: secret32 }, maxTokenLength }),
        'maxTokenLength',
        'at least 256',
      );
    }
  });

  it('clock: a function returning finite milliseconds, checked at construction', () => {
    expectRefused(
      () => service({ signingKey: { alg: 'HS256', key: secret32 }, clock: 5 as unknown as () => number }),
      'clock',
      'must be a function',
    );
    for (const clock of [
      () => Number.NaN,
      () => undefined as unknown as number,
      () => -1000,
      () => Number.POSITIVE_INFINITY,
    ]) {
      expectRefused(
        () => service({ signingKey: { alg: 'HS256', key: secret32 }, clock }),
        'clock',
        'finite number',
      );
    }
  });

  it('a clock that breaks later fails closed: verification throws instead of accepting', () => {
    let nowMs = fixedNowSeconds * 1000;
    const ours = service({ signingKey: { alg: 'HS256', key: secret32 }, clock: () => nowMs });
    const { token } = ours.signAccessToken({ subject: 'u', ttl: 60 });
    nowMs = Number.NaN;
    expect(() => ours.verifyAccessToken(token)).toThrow(AuthConfigError);
    nowMs = (fixedNowSeconds + 61) * 1000;
    expect(refusal(() => ours.verifyAccessToken(token)).code).toBe('token_expired');
  });
});

describe('base64url helper', () => {
  it('accepts exactly the canonical unpadded encodings', () => {
    for (const text of ['', 'AA', 'AAA', 'AAAA', '-w', '_w', 'AQ', 'AQI', 'Zm9v', 'Zm9vYg']) {
      expect(isCanonicalBase64url(text), text).toBe(true);
    }
    for (const text of [
      'A',
      'AAAAA',
      'AB',
      'AAB',
      'AA==',
      'AA=',
      'Zm9vYg==',
      '+w',
      '/w',
      'A A',
      'AA\n',
      ' AA',
      'é',
      '\u0100A',
      'AQ.',
    ]) {
      expect(isCanonicalBase64url(text), JSON.stringify(text)).toBe(false);
    }
  });

  it('every 2- and 3-character string is accepted exactly when it is the encoding of what it decodes to', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let canonical = 0;
    for (const a of alphabet) {
      for (const b of alphabet) {
        const two = a + b;
        expect(isCanonicalBase64url(two)).toBe(Buffer.from(two, 'base64url').toString('base64url') === two);
        if (isCanonicalBase64url(two)) canonical++;
        for (const c of alphabet) {
          const three = two + c;
          if (
            isCanonicalBase64url(three) !==
            (Buffer.from(three, 'base64url').toString('base64url') === three)
          ) {
            throw new Error(`disagreement on ${three}`);
          }
        }
      }
    }
    expect(canonical).toBe(256);
  });

  it('round-trips any bytes, and decodes nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = encodeBase64url(Buffer.from(bytes));
        expect(isCanonicalBase64url(encoded)).toBe(true);
        expect(decodeBase64url(encoded)).toEqual(Buffer.from(bytes));
      }),
    );
    expect(decodeBase64url('AA==')).toBeUndefined();
    expect(encodeBase64url('é')).toBe(b64u('é'));
  });

  it('decodes exactly what the definition accepts, whatever characters are mixed in', () => {
    // Alphabet characters plus everything Node's decoder treats specially: padding, the base64
    // alphabet, whitespace, other ASCII, Latin-1, and characters above U+00FF whose low byte is an
    // alphabet character (Node reads U+0141 as 'A').
    const tricky = [
      '=',
      '+',
      '/',
      ' ',
      '\n',
      '\t',
      '.',
      '!',
      '\u0000',
      '\u00e9',
      '\u00ff',
      '\u0141',
      '\u0161',
      '\u2d41',
      '\ud83d',
    ];
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
    const char = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...alphabet) },
      { weight: 1, arbitrary: fc.constantFrom(...tricky) },
    );
    const text = fc.oneof(
      fc.array(char, { maxLength: 24 }).map((chars) => chars.join('')),
      // A canonical encoding with one character changed or added, near the bytes it encodes.
      fc
        .tuple(fc.uint8Array({ maxLength: 30 }), fc.nat(), char, fc.boolean())
        .map(([bytes, at, extra, replace]) => {
          const encoded = encodeBase64url(Buffer.from(bytes));
          const index = encoded.length === 0 ? 0 : at % encoded.length;
          return encoded.slice(0, index) + extra + encoded.slice(index + (replace ? 1 : 0));
        }),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        const decoded = decodeBase64url(candidate);
        expect(decoded !== undefined, JSON.stringify(candidate)).toBe(isCanonicalBase64url(candidate));
        if (decoded !== undefined) expect(encodeBase64url(decoded)).toBe(candidate);
      }),
      { numRuns: 20_000 },
    );
    for (const candidate of ['\u0141\u0141', 'AA\u0141A', 'A+AA', 'AA/A', 'AA=A', 'AAA=', 'AB', 'A A']) {
      expect(decodeBase64url(candidate), JSON.stringify(candidate)).toBeUndefined();
    }
  });
});

describe('constant-time string comparison', () => {
  it('is true exactly for equal strings, wherever they differ and whatever their lengths', () => {
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    for (const other of ['abd', 'xbc', 'aBc', 'ab', 'abcd', ''])
      expect(constantTimeEqual('abc', other)).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a.slice())).toBe(true);
      }),
    );
  });
});

describe('duration helper', () => {
  it('reads seconds and unit strings', () => {
    const cases: [number | string, number][] = [
      [90, 90],
      ['90', 90],
      ['90s', 90],
      ['15m', 900],
      ['12h', 43_200],
      ['14d', 1_209_600],
      ['2w', 1_209_600],
      [' 15m ', 900],
      ['15 m', 900],
    ];
    for (const [value, seconds] of cases) expect(parseDuration('x', value)).toBe(seconds);
  });

  it('refuses fractions, negatives, unknown units and non-values, naming the option', () => {
    for (const value of [
      1.5,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '1.5h',
      '15min',
      '15M',
      '',
      'm',
      '-5m',
      '1e3',
      '0x10',
    ]) {
      expectRefused(() => parseDuration('someOption', value), 'someOption', /./);
    }
    expectRefused(() => parseDuration('someOption', 'abc'), 'someOption', 'cannot read "abc" as a duration');
    expectRefused(
      () => parseDuration('someOption', null as unknown as number),
      'someOption',
      'must be a number',
    );
  });

  it('applies min (default 1) and max', () => {
    expectRefused(() => parseDuration('x', 0), 'x', 'must be at least 1 seconds');
    expect(parseDuration('x', 0, { min: 0 })).toBe(0);
    expect(parseDuration('x', '5m', { max: 300 })).toBe(300);
    expectRefused(() => parseDuration('x', '301s', { max: 300 }), 'x', 'must be at most 300 seconds');
  });

  it('reads spans below a second in milliseconds: fractions of seconds, `ms` strings, every other form', () => {
    const bounds = { min: 1, max: 60_000 };
    const cases: [number | string, number][] = [
      [0.25, 250],
      [2, 2000],
      ['250ms', 250],
      [' 40 ms ', 40],
      ['2s', 2000],
      ['1m', 60_000],
    ];
    for (const [value, milliseconds] of cases) expect(parseDurationMs('x', value, bounds)).toBe(milliseconds);
    for (const value of [0, '0ms', '61s', Number.NaN, Number.POSITIVE_INFINITY, '1.5ms', 'fast', '-5ms']) {
      expectRefused(() => parseDurationMs('timeout', value, bounds), 'timeout', /./);
    }
    expectRefused(() => parseDurationMs('timeout', '2m', bounds), 'timeout', 'must be from 1ms to 60s');
    // Token lifetimes stay whole seconds: a JWT's times are.
    expectRefused(() => parseDuration('accessTtl', '500ms'), 'accessTtl', 'cannot read');
  });
});
