/**
 * Wycheproof (C2SP) vectors run through our own verify path: the JWS, JWK and JWS-part of the
 * JSON Web Crypto files at the compact-JWS level, and every algorithm-level vector in
 * `primitives/` through algorithms.ts `verifyBytes` with keys imported by keys.ts `resolveKey`.
 *
 * Keys are imported the way a user configures them: the group's JWK bound to the JWK's own `alg`
 * (or to the token's `alg` when the JWK carries none). The vectors' payloads ("foo", text) are not
 * JWT claim sets and carry no `exp`, so acceptance is judged at `verifyCompact`: a case is accepted
 * when the signature and every header check pass, which is when only the payload-is-a-JSON-object
 * check (it runs after the signature) is left to refuse it.
 */
import { createSecretKey, type JsonWebKey, type KeyObject, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthConfigError, AuthError } from '../../src/errors.js';
import { type Algorithm, algorithmSpecs, signBytes, verifyBytes } from '../../src/tokens/algorithms.js';
import { createJwsVerifier } from '../../src/tokens/jws.js';
import { createKeyRing, type KeyRing } from '../../src/tokens/key-ring.js';
import { type KeyInput, type ResolvedKey, resolveKey, thumbprint } from '../../src/tokens/keys.js';
import { compact, refusal } from './helpers.js';
import { haveVectors, readVector, vectorsNote } from './vectors.js';

interface JwsCase {
  tcId: number;
  comment: string;
  jws?: string | Record<string, unknown>;
  jwe?: string | Record<string, unknown>;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface JwsGroup {
  comment: string;
  private?: JsonWebKey;
  public?: JsonWebKey;
  tests: JwsCase[];
}
interface VectorFile<G> {
  numberOfTests: number;
  testGroups: G[];
}

type Outcome =
  | { kind: 'accepted'; payload: 'claims' | 'not_a_claims_set' }
  | { kind: 'refused'; code: string; reason: string }
  | { kind: 'key_refused'; option: string; message: string };

/** The keys of a group: a JWKS's members, or the one JWK (public preferred: we only verify). */
function groupKeys(group: JwsGroup): JsonWebKey[] {
  const holder = group.public ?? group.private;
  if (holder === undefined) throw new Error(`group ${group.comment} has no key`);
  return Array.isArray(holder.keys) ? (holder.keys as JsonWebKey[]) : [holder];
}

function headerAlg(token: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && 'alg' in header ? String(header.alg) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wycheproof MACs tcIds 357-377 with an all-zero HS256 key, which configuration refuses as not random
 * (tested below). Those cases exist for the token checks (padding, whitespace, stray characters), so
 * that one key goes into the ring directly, as the primitive tests below hand their keys to verifyBytes.
 */
const allZeroHs256Key = Buffer.alloc(32).toString('base64url');

function ringOf(verificationKeys: readonly KeyInput[]): KeyRing {
  const only = verificationKeys.length === 1 ? (verificationKeys[0]?.key as JsonWebKey) : undefined;
  if (only?.k !== allZeroHs256Key) return createKeyRing({ verificationKeys });
  const secret = createSecretKey(Buffer.alloc(32));
  const key: ResolvedKey = {
    alg: algorithmSpecs.HS256,
    kid: String(only.kid),
    signingKey: undefined,
    verificationKey: secret,
    publicJwk: undefined,
  };
  // The ring's rule for one key: a token names its kid or none.
  return {
    signingKey: undefined,
    keys: [key],
    find: (kid) => (kid === undefined || kid === key.kid ? key : undefined),
  };
}

/** Imports the keys as a verification ring, then verifies `token` at the compact-JWS level. */
function run(keys: readonly JsonWebKey[], token: unknown): Outcome {
  const text = typeof token === 'string' ? token : JSON.stringify(token);
  let verify: (token: unknown) => unknown;
  try {
    const verificationKeys = keys.map(
      (jwk) => ({ alg: (jwk.alg ?? headerAlg(text) ?? 'none') as Algorithm, key: jwk }) satisfies KeyInput,
    );
    verify = createJwsVerifier(ringOf(verificationKeys));
  } catch (error) {
    if (error instanceof AuthConfigError)
      return { kind: 'key_refused', option: error.option, message: error.message };
    throw error;
  }
  try {
    verify(token);
    return { kind: 'accepted', payload: 'claims' };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    // Checked only after the signature: the JWS is sound, its payload is just not a claims set.
    if (error.reason === 'payload_json' || error.reason === 'payload_not_object') {
      return { kind: 'accepted', payload: 'not_a_claims_set' };
    }
    return { kind: 'refused', code: error.code, reason: error.reason ?? '' };
  }
}

interface Expectation {
  readonly outcome: Outcome['kind'];
  /** The refusal reason, or a fragment of the AuthConfigError message. */
  readonly detail?: string;
  readonly why: string;
}

function defaultExpectation(test: JwsCase): Expectation {
  return test.result === 'valid'
    ? { outcome: 'accepted', why: 'valid' }
    : { outcome: 'refused', why: 'invalid: refused (by the token check or already at key import)' };
}

function check(test: JwsCase, outcome: Outcome, expectation: Expectation): void {
  const why = `tcId ${test.tcId}: ${expectation.why}`;
  if (expectation.outcome === 'refused' && expectation.detail === undefined) {
    // An invalid vector may be refused at import (the key is unfit) or at verification.
    expect(outcome.kind, why).not.toBe('accepted');
  } else {
    expect(outcome.kind, why).toBe(expectation.outcome);
  }
  if (outcome.kind === 'refused') expect(outcome.code, why).toBe('token_invalid');
  if (expectation.detail !== undefined) {
    if (outcome.kind === 'refused') expect(outcome.reason, why).toBe(expectation.detail);
    if (outcome.kind === 'key_refused') expect(outcome.message, why).toContain(expectation.detail);
  }
}

/** Tallies how each file's cases ended, so a change in any refusal reason shows up in review. */
function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key =
      outcome.kind === 'accepted'
        ? `accepted:${outcome.payload}`
        : outcome.kind === 'refused'
          ? `refused:${outcome.reason}`
          : `key_refused:${outcome.option}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const emptyPayload: Expectation = {
  outcome: 'refused',
  detail: 'empty_segment',
  why: 'an empty payload is a valid JWS but never a JWT; refused before any crypto (the signature is checked separately below)',
};
const macKeyOfEmptyPayloadGroups = [259, 264, 268, 272, 320, 325];

const signatureExpectations: Readonly<Record<number, Expectation>> = {
  ...Object.fromEntries(macKeyOfEmptyPayloadGroups.map((tcId) => [tcId, emptyPayload])),
  346: {
    outcome: 'refused',
    detail: 'alg_mismatch',
    why: 'README quirk: the group key says PS256, the token PS384; the key pins its algorithm',
  },
  350: {
    outcome: 'refused',
    detail: 'alg_mismatch',
    why: 'README quirk: the group key says PS256, the token PS384; the key pins its algorithm',
  },
  347: {
    outcome: 'key_refused',
    detail: '"ES521" is not a supported algorithm',
    why: 'README quirk: ES521 is no registered JOSE name, so the key cannot be bound to it',
  },
  351: {
    outcome: 'key_refused',
    detail: '"ES521" is not a supported algorithm',
    why: 'README quirk: ES521 is no registered JOSE name, so the key cannot be bound to it',
  },
  353: { outcome: 'key_refused', detail: 'use "enc"', why: 'a key for encryption is refused at import' },
  354: { outcome: 'key_refused', detail: 'use "enc"', why: 'a key for encryption is refused at import' },
  355: { outcome: 'key_refused', detail: 'key_ops do not allow "verify"', why: 'key_ops without verify' },
  356: { outcome: 'key_refused', detail: 'key_ops do not allow "verify"', why: 'key_ops without verify' },
  367: {
    outcome: 'accepted',
    why: 'README quirk: byte-identical to the valid tcId 357 although marked invalid; a correct verifier accepts it',
  },
  370: {
    outcome: 'accepted',
    why: 'README quirk: byte-identical to the valid tcId 357 although marked invalid; a correct verifier accepts it',
  },
  372: {
    outcome: 'refused',
    detail: 'base64url',
    why: 'README quirk: marked valid, but a "?" sits inside the header; strict base64url refuses it',
  },
  373: {
    outcome: 'refused',
    detail: 'base64url',
    why: 'README quirk: marked valid, but a "?" sits inside the payload; strict base64url refuses it',
  },
};

const mixedRing: Expectation = {
  outcome: 'accepted',
  why:
    'deliberate deviation: a ring may hold an HMAC secret beside public keys (needed to rotate HS256 -> ES256); ' +
    'each key is pinned to its own alg, so the mix cannot be used for algorithm confusion (see tcId 31)',
};
const roca: Expectation = {
  outcome: 'key_refused',
  detail: 'ROCA',
  why: 'ROCA-fingerprinted modulus refused at import',
};

const cryptoExpectations: Readonly<Record<number, Expectation>> = { 46: roca, 47: mixedRing };

const keyExpectations: Readonly<Record<number, Expectation>> = {
  1: mixedRing,
  2: { outcome: 'accepted', why: 'two HS256 keys with distinct kids: the token picks its key by kid' },
  3: { outcome: 'refused', detail: 'signature', why: 'modified signature' },
  4: {
    outcome: 'key_refused',
    detail: 'the JWK "k" is not base64url',
    why: 'the second key\'s "k" ends in set padding bits, so import stops before the duplicate kid (tested apart below)',
  },
  5: { outcome: 'accepted', why: 'valid RS256 key and token' },
  6: { outcome: 'key_refused', detail: '"RSA1_5" is not a supported algorithm', why: 'an encryption key' },
  7: roca,
  8: { outcome: 'key_refused', detail: 'at least 2048 bits (got 1024)', why: 'RSA 1024 refused' },
  9: {
    outcome: 'key_refused',
    detail: 'exponent must be odd and at least 3',
    why: 'e = 1 makes forgery trivial',
  },
  10: {
    outcome: 'key_refused',
    detail: 'at least 32 bytes (got 31)',
    why: 'HS256 secret shorter than the hash',
  },
  11: {
    outcome: 'key_refused',
    detail: 'at least 48 bytes (got 47)',
    why: 'HS384 secret shorter than the hash',
  },
  12: {
    outcome: 'key_refused',
    detail: 'at least 64 bytes (got 63)',
    why: 'HS512 secret shorter than the hash',
  },
  13: { outcome: 'accepted', why: 'a secret longer than the hash is fine' },
  14: { outcome: 'accepted', why: 'a secret longer than the hash is fine' },
  15: { outcome: 'accepted', why: 'a secret longer than the hash is fine' },
  16: { outcome: 'key_refused', detail: 'at least 32 bytes (got 0)', why: 'empty secret' },
  17: { outcome: 'key_refused', detail: 'at least 48 bytes (got 0)', why: 'empty secret' },
  18: { outcome: 'key_refused', detail: 'at least 64 bytes (got 0)', why: 'empty secret' },
  19: { outcome: 'key_refused', detail: '"ES521" is not a supported algorithm', why: 'unregistered alg' },
  20: { outcome: 'key_refused', detail: '"ES224" is not a supported algorithm', why: 'unregistered alg' },
  21: { outcome: 'key_refused', detail: 'use "enc"', why: 'an ES256 key marked for encryption' },
  22: {
    outcome: 'key_refused',
    detail: 'cannot be read as a ES256 key',
    why: 'the point is not on the curve',
  },
  23: {
    outcome: 'key_refused',
    detail: 'cannot be read as a ES256 key',
    why: 'P-256 coordinates labelled P-384',
  },
  24: { outcome: 'key_refused', detail: 'cannot be read as a ES256 key', why: 'EC members under kty RSA' },
  25: { outcome: 'key_refused', detail: '"A256GCM" is not a supported algorithm', why: 'an AES key' },
  26: { outcome: 'key_refused', detail: '"A256KW" is not a supported algorithm', why: 'an AES key' },
};

/** Runs every case of one file as its own test, then checks the file's tally of outcomes. */
function describeJwsFile(
  title: string,
  file: VectorFile<JwsGroup> | undefined,
  expectations: Readonly<Record<number, Expectation>>,
  expectedTally: Record<string, number>,
  expectedCases: number,
): void {
  const cases = (file?.testGroups ?? []).flatMap((group) =>
    group.tests.filter((test) => test.jws !== undefined).map((test) => ({ group, test })),
  );
  const outcomes: Outcome[] = [];
  describe(title, () => {
    it.each(
      cases.map(({ group, test }) => ({
        group,
        test,
        name: `tcId ${test.tcId} ${test.comment} (${test.result})`,
      })),
    )('$name', ({ group, test }) => {
      const outcome = run(groupKeys(group), test.jws);
      outcomes.push(outcome);
      check(test, outcome, expectations[test.tcId] ?? defaultExpectation(test));
    });
    it('covers every JWS case of the file and ends each one as recorded', () => {
      expect(cases).toHaveLength(expectedCases);
      expect(outcomes).toHaveLength(expectedCases);
      expect(tally(outcomes)).toEqual(expectedTally);
    });
  });
}

const signatureFile = readVector<VectorFile<JwsGroup>>('wycheproof/json_web_signature_test.json');
const cryptoFile = readVector<VectorFile<JwsGroup>>('wycheproof/json_web_crypto_test.json');
const keyFile = readVector<VectorFile<JwsGroup>>('wycheproof/json_web_key_test.json');

function findCase(file: VectorFile<JwsGroup> | undefined, tcId: number): { group: JwsGroup; test: JwsCase } {
  for (const group of file?.testGroups ?? []) {
    for (const test of group.tests) if (test.tcId === tcId) return { group, test };
  }
  throw new Error(`no tcId ${tcId}`);
}

describe.skipIf(!haveVectors)(`Wycheproof JSON Web Signature, Key and Crypto vectors${vectorsNote}`, () => {
  describeJwsFile(
    'json_web_signature_test.json (all 401 cases)',
    signatureFile,
    signatureExpectations,
    {
      // 46 valid, less the 10 refused above (6 empty payloads, 346/350, 347/351, 372/373), plus 367/370.
      'accepted:not_a_claims_set': 36,
      'refused:alg_mismatch': 8,
      'refused:base64url': 14,
      'refused:empty_segment': 17,
      'refused:kid_unknown': 3,
      'refused:not_a_string': 3,
      'refused:segments': 21,
      'refused:signature': 293,
      'key_refused:verificationKeys[0].alg': 2,
      'key_refused:verificationKeys[0].key': 4,
    },
    401,
  );
  describeJwsFile(
    'json_web_crypto_test.json, JWS part (tcId 1-49)',
    cryptoFile,
    cryptoExpectations,
    {
      'accepted:not_a_claims_set': 5,
      'refused:alg_mismatch': 1,
      'refused:empty_segment': 7,
      'refused:kid_unknown': 3,
      'refused:not_a_string': 4,
      'refused:segments': 20,
      'refused:signature': 8,
      'key_refused:verificationKeys[0].key': 1,
    },
    49,
  );
  describeJwsFile(
    'json_web_key_test.json (all 26 JWK/JWKS cases)',
    keyFile,
    keyExpectations,
    {
      'accepted:not_a_claims_set': 6,
      'refused:signature': 1,
      'key_refused:verificationKeys[0].alg': 5,
      'key_refused:verificationKeys[0].key': 13,
      'key_refused:verificationKeys[1].key': 1,
    },
    26,
  );

  describe('quirks and deviations, shown rather than assumed', () => {
    it('the all-zero HS256 key of tcIds 357-377 is refused at configuration as not random', () => {
      const [jwk] = groupKeys(findCase(signatureFile, 357).group);
      expect(jwk?.k).toBe(allZeroHs256Key);
      expect(() => createKeyRing({ verificationKeys: [{ alg: 'HS256', key: jwk as JsonWebKey }] })).toThrow(
        'option `verificationKeys[0].key`: an HS256 secret must be random bytes; this one repeats a short pattern',
      );
    });

    it('tcId 367 and 370 are byte-identical to the valid tcId 357', () => {
      const valid = findCase(signatureFile, 357).test.jws;
      expect(findCase(signatureFile, 367).test.jws).toBe(valid);
      expect(findCase(signatureFile, 370).test.jws).toBe(valid);
    });

    it('tcId 372 and 373 become the valid tcId 357 once the stray "?" is removed: only strict base64url refuses them', () => {
      const valid = findCase(signatureFile, 357).test.jws;
      for (const tcId of [372, 373]) {
        const token = findCase(signatureFile, tcId).test.jws;
        expect(typeof token === 'string' && token.replace('?', '')).toBe(valid);
      }
    });

    it('the refused empty-payload cases carry signatures that verify, so the refusal is about the JWT shape', () => {
      for (const tcId of macKeyOfEmptyPayloadGroups) {
        const { group, test } = findCase(signatureFile, tcId);
        const [jwk] = groupKeys(group);
        const token = String(test.jws);
        const alg = headerAlg(token) as Algorithm;
        const key = resolveKey({ alg, key: jwk as JsonWebKey }, 'key');
        const lastDot = token.lastIndexOf('.');
        const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
        expect(
          verifyBytes(key.alg, key.verificationKey, token.slice(0, lastDot), signature),
          `tcId ${tcId}`,
        ).toBe(true);
      }
    });

    it('a mixed HMAC + EC ring still refuses an HS256 token naming the EC key (tcId 31: no confusion)', () => {
      const { group } = findCase(keyFile, 1);
      const { test } = findCase(signatureFile, 31);
      expect(run(groupKeys(group), test.jws)).toEqual({
        kind: 'refused',
        code: 'token_invalid',
        reason: 'alg_mismatch',
      });
    });

    it('two valid keys sharing a kid are refused at construction, naming verificationKeys', () => {
      const [first, second] = groupKeys(findCase(keyFile, 2).group);
      const error = (() => {
        try {
          createKeyRing({
            verificationKeys: [
              { alg: 'HS256', key: first as JsonWebKey },
              { alg: 'HS256', key: { ...second, kid: first?.kid } },
            ],
          });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(AuthConfigError);
      expect((error as AuthConfigError).option).toBe('verificationKeys');
      expect((error as AuthConfigError).message).toContain('share the kid "kid-aes-sign"');
    });

    it('key_ops are checked against what the key will do: verify for verification keys, sign for the signing key', () => {
      const withPublicOps = findCase(signatureFile, 349).group;
      const publicJwk = withPublicOps.public as JsonWebKey;
      const privateJwk = withPublicOps.private as JsonWebKey;
      // The group's private JWK says key_ops ["sign, verify"]: one string, so neither op.
      expect(privateJwk.key_ops).toEqual(['sign, verify']);
      expect(() => resolveKey({ alg: 'RS256', key: privateJwk }, 'signingKey', 'sign')).toThrow(
        'the JWK key_ops do not allow "sign"',
      );
      expect(resolveKey({ alg: 'RS256', key: publicJwk }, 'verificationKeys[0]').kid).toBe(
        'bilbo.baggins@hobbiton.example',
      );
      expect(() =>
        resolveKey({ alg: 'RS256', key: { ...publicJwk, key_ops: ['sign'] } }, 'verificationKeys[0]'),
      ).toThrow('the JWK key_ops do not allow "verify"');
      // The PS256 group spells it correctly: that private key signs, and its tokens verify.
      const psPrivate = findCase(signatureFile, 350).group.private as JsonWebKey;
      const signer = resolveKey({ alg: 'PS256', key: psPrivate }, 'signingKey', 'sign');
      const ring = createKeyRing({
        verificationKeys: [{ alg: 'PS256', key: findCase(signatureFile, 350).group.public as JsonWebKey }],
      });
      const token = compact({ alg: 'PS256', kid: signer.kid }, { sub: 'frodo' }, (input) =>
        // biome-ignore lint/style/noNonNullAssertion: a private JWK always yields a signing key
        signWith(signer.alg.name, signer.signingKey!, input),
      );
      expect(createJwsVerifier(ring)(token).payload).toEqual({ sub: 'frodo' });
    });
  });

  describe('json_web_crypto_test.json, JWE part (tcId 50-83): not JWS, never accepted', () => {
    const jweCases = (cryptoFile?.testGroups ?? []).flatMap((group) =>
      group.tests.filter((test) => test.jwe !== undefined).map((test) => ({ group, test })),
    );
    it('has the 34 JWE cases', () => {
      expect(jweCases).toHaveLength(34);
    });
    it('refuses every JWE group key as a signing-algorithm key at import', () => {
      const groups = new Set(jweCases.map(({ group }) => group));
      for (const group of groups) {
        const [jwk] = groupKeys(group);
        expect(() => resolveKey({ alg: jwk?.alg as Algorithm, key: jwk as JsonWebKey }, 'key')).toThrow(
          AuthConfigError,
        );
        expect(() => resolveKey({ alg: 'HS256', key: jwk as JsonWebKey }, 'key')).toThrow(AuthConfigError);
      }
    });
    it('refuses every JWE string or JSON object handed to a JWS verifier', () => {
      const verify = createJwsVerifier(
        createKeyRing({ verificationKeys: [{ alg: 'HS256', key: createSecretKey(randomBytes(32)) }] }),
      );
      const reasons = new Set<string | undefined>();
      for (const { test } of jweCases) {
        const result = refusal(() => verify(test.jwe));
        expect(result.code).toBe('token_invalid');
        reasons.add(result.reason);
      }
      expect([...reasons].sort()).toEqual(['not_a_string', 'segments']);
    });
  });
});

// The algorithm-level files: one test per file checks every vector and lists any mismatch by tcId.
// They go through verifyBytes, not a compact token: a vector's `msg` is arbitrary bytes, never of the
// form base64url(header) "." base64url(payload), so no compact JWS can carry it as its signing input.

interface PrimitiveCase {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig?: string;
  tag?: string;
  key?: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface PrimitiveGroup {
  publicKeyJwk?: JsonWebKey;
  keyJwk?: JsonWebKey;
  publicKeyPem?: string;
  publicKeyDer?: string;
  keySize?: number;
  tagSize?: number;
  sha?: string;
  mgfSha?: string;
  sLen?: number;
  tests: PrimitiveCase[];
}

function signWith(alg: Algorithm, key: KeyObject, input: string): Buffer {
  return signBytes(algorithmSpecs[alg], key, input);
}

/** Our verdict on a primitive vector: the key through resolveKey, the bytes through verifyBytes. */
function verdict(alg: Algorithm, key: KeyObject, test: PrimitiveCase): boolean {
  const message = Buffer.from(test.msg, 'hex').toString('latin1');
  return verifyBytes(algorithmSpecs[alg], key, message, Buffer.from(test.sig ?? test.tag ?? '', 'hex'));
}

function describePrimitive(
  file: string,
  alg: Algorithm,
  expected: (test: PrimitiveCase, group: PrimitiveGroup) => boolean,
): void {
  const data = readVector<VectorFile<PrimitiveGroup>>(`wycheproof/primitives/${file}`);
  it(`${file}: every vector verifies (or not) as expected through ${alg} verifyBytes`, () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const group of data?.testGroups ?? []) {
      // Import the JWK where the vector has one, else the PEM; both go through our key import.
      const material = group.publicKeyJwk ?? group.keyJwk ?? group.publicKeyPem;
      const key = resolveKey({ alg, key: material as KeyInput['key'] }, 'key');
      if (group.publicKeyJwk !== undefined && group.publicKeyPem !== undefined) {
        const fromPem = resolveKey({ alg, key: group.publicKeyPem }, 'key');
        expect(thumbprint(fromPem.publicJwk ?? {})).toBe(thumbprint(key.publicJwk ?? {}));
      }
      for (const test of group.tests) {
        checked++;
        if (verdict(alg, key.verificationKey, test) !== expected(test, group)) {
          mismatches.push(`tcId ${test.tcId} (${test.result}) ${test.comment}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(data?.numberOfTests);
  });
}

const validOnly = (test: PrimitiveCase) => test.result === 'valid';

describe.skipIf(!haveVectors)(`Wycheproof algorithm-level vectors (primitives/)${vectorsNote}`, () => {
  describe('ECDSA in IEEE P1363 form (ES256, ES384, ES512)', () => {
    describePrimitive('ecdsa_secp256r1_sha256_p1363_test.json', 'ES256', validOnly);
    describePrimitive('ecdsa_secp384r1_sha384_p1363_test.json', 'ES384', validOnly);
    describePrimitive('ecdsa_secp521r1_sha512_p1363_test.json', 'ES512', validOnly);

    it('secp256k1 is not a JOSE curve for us: ES256/384/512 refuse every secp256k1 key at construction', () => {
      const data = readVector<VectorFile<PrimitiveGroup>>(
        'wycheproof/primitives/ecdsa_secp256k1_sha256_p1363_test.json',
      );
      const groups = data?.testGroups ?? [];
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) {
        for (const alg of ['ES256', 'ES384', 'ES512'] as const) {
          for (const material of [group.publicKeyJwk, group.publicKeyPem]) {
            if (material === undefined) continue;
            expect(() => resolveKey({ alg, key: material }, 'signingKey')).toThrow(AuthConfigError);
          }
        }
      }
      expect(() => resolveKey({ alg: 'ES256', key: groups[0]?.publicKeyPem ?? '' }, 'signingKey')).toThrow(
        'ES256 needs an EC key on prime256v1',
      );
    });
  });

  describe('EdDSA', () => {
    describePrimitive('ed25519_test.json', 'EdDSA', validOnly);

    it('Ed448 is refused: our EdDSA is bound to Ed25519', () => {
      const data = readVector<VectorFile<PrimitiveGroup>>('wycheproof/primitives/ed448_test.json');
      for (const group of data?.testGroups ?? []) {
        expect(() => resolveKey({ alg: 'EdDSA', key: group.publicKeyPem ?? '' }, 'key')).toThrow(
          'EdDSA needs an Ed25519 key',
        );
        expect(() => resolveKey({ alg: 'EdDSA', key: group.publicKeyJwk as JsonWebKey }, 'key')).toThrow(
          AuthConfigError,
        );
      }
    });
  });

  describe('RSASSA-PKCS1-v1_5 (RS256, RS384, RS512)', () => {
    // "acceptable" (flag MissingNull: DigestInfo without the NULL parameters) is refused: strict DER.
    describePrimitive('rsa_signature_2048_sha256_test.json', 'RS256', validOnly);
    describePrimitive('rsa_signature_2048_sha384_test.json', 'RS384', validOnly);
    describePrimitive('rsa_signature_2048_sha512_test.json', 'RS512', validOnly);
  });

  describe('RSASSA-PSS with the RFC 7518 parameters (MGF1 with the same hash, salt = hash length)', () => {
    describePrimitive('rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256', validOnly);
    describePrimitive('rsa_pss_2048_sha384_mgf1_48_test.json', 'PS384', validOnly);
    describePrimitive('rsa_pss_4096_sha512_mgf1_64_test.json', 'PS512', validOnly);

    it('the vector files hold only RFC 7518 parameter sets (others are refused in config.test.ts)', () => {
      for (const [file, hash, salt] of [
        ['rsa_pss_2048_sha256_mgf1_32_test.json', 'SHA-256', 32],
        ['rsa_pss_2048_sha384_mgf1_48_test.json', 'SHA-384', 48],
        ['rsa_pss_4096_sha512_mgf1_64_test.json', 'SHA-512', 64],
      ] as const) {
        for (const group of readVector<VectorFile<PrimitiveGroup>>(`wycheproof/primitives/${file}`)
          ?.testGroups ?? []) {
          expect([group.sha, group.mgfSha, group.sLen]).toEqual([hash, hash, salt]);
        }
      }
    });

    it('a valid PS256 vector does not verify as PS384 or with another salt length', () => {
      const data = readVector<VectorFile<PrimitiveGroup>>(
        'wycheproof/primitives/rsa_pss_2048_sha256_mgf1_32_test.json',
      );
      const group = data?.testGroups[0];
      const test = group?.tests.find((candidate) => candidate.result === 'valid');
      const key = resolveKey({ alg: 'PS256', key: group?.publicKeyJwk as JsonWebKey }, 'key').verificationKey;
      expect(verdict('PS256', key, test as PrimitiveCase)).toBe(true);
      expect(verdict('PS384', key, test as PrimitiveCase)).toBe(false);
      expect(verdict('RS256', key, test as PrimitiveCase)).toBe(false);
    });
  });

  describe('HMAC-SHA2 (HS256, HS384, HS512)', () => {
    for (const [file, alg] of [
      ['hmac_sha256_test.json', 'HS256'],
      ['hmac_sha384_test.json', 'HS384'],
      ['hmac_sha512_test.json', 'HS512'],
    ] as const) {
      const hashBits = algorithmSpecs[alg].hashBytes * 8;
      it(`${file}: full-length tags verify as expected; truncated tags are never accepted; short keys are refused by config`, () => {
        const data = readVector<VectorFile<PrimitiveGroup>>(`wycheproof/primitives/${file}`);
        const mismatches: string[] = [];
        let checked = 0;
        for (const group of data?.testGroups ?? []) {
          for (const test of group.tests) {
            checked++;
            const secret = Buffer.from(test.key ?? '', 'hex');
            // JOSE has no truncated MACs: a tag shorter than the hash is refused, even a correct one.
            const expected = test.result === 'valid' && group.tagSize === hashBits;
            if (verdict(alg, createSecretKey(secret), test) !== expected)
              mismatches.push(`tcId ${test.tcId}`);
            if ((group.keySize ?? 0) < hashBits) {
              expect(() => resolveKey({ alg, key: secret }, 'signingKey')).toThrow(
                `an ${alg} secret must be at least ${hashBits / 8} bytes`,
              );
            } else {
              const key = resolveKey({ alg, key: secret }, 'signingKey').verificationKey;
              if (verdict(alg, key, test) !== expected) mismatches.push(`tcId ${test.tcId} (configured key)`);
            }
          }
        }
        expect(mismatches).toEqual([]);
        expect(checked).toBe(data?.numberOfTests);
      });
    }
  });
});
