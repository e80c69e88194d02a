/**
 * Known answers from RFC 7515 Appendix A, RFC 8037 and RFC 7520 section 4 (rfc-vectors.json), and
 * the cookbook files in ../shared/vectors/rfc7520 that a compact-only JWT library must refuse.
 * Where signing is deterministic (HMAC, RSA PKCS#1 v1.5, Ed25519) our signBytes must reproduce the
 * published signature byte for byte; ECDSA and PSS are randomized, so those are verified only.
 */
import type { JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Algorithm, signBytes, verifyBytes } from '../../src/tokens/algorithms.js';
import { checkClaims } from '../../src/tokens/claims.js';
import { createJwsVerifier } from '../../src/tokens/jws.js';
import { createKeyRing } from '../../src/tokens/key-ring.js';
import { resolveKey } from '../../src/tokens/keys.js';
import { createTokenService } from '../../src/tokens/token-service.js';
import { refusal } from './helpers.js';
import { haveVectors, readVector, vectorsNote } from './vectors.js';

interface RfcVector {
  id: string;
  alg: string | string[];
  deterministic?: boolean;
  key?: JsonWebKey | null;
  keys?: JsonWebKey[];
  protectedHeaderJson?: string;
  payloadText?: string;
  compact?: string;
  json?: Record<string, unknown>;
  expect: 'valid' | 'invalid' | 'reject-if-compact-only' | 'detached';
}

interface CookbookFile {
  title: string;
  input: { payload: string; key: JsonWebKey | JsonWebKey[]; alg: string | string[] };
  signing: unknown;
  output: { compact?: string; json?: Record<string, unknown>; json_flat?: Record<string, unknown> };
}

const vectors = readVector<{ vectors: RfcVector[] }>('rfc-vectors.json')?.vectors ?? [];
const byId = (id: string): RfcVector => {
  const vector = vectors.find((candidate) => candidate.id === id);
  if (vector === undefined) throw new Error(`no vector ${id}`);
  return vector;
};
const cookbook = (path: string) => readVector<CookbookFile>(`rfc7520/${path}`);

/** The three segments of a compact JWS and its signing input. */
function parts(token: string) {
  const lastDot = token.lastIndexOf('.');
  const [header = '', payload = ''] = token.split('.');
  return {
    header,
    payload,
    input: token.slice(0, lastDot),
    signature: Buffer.from(token.slice(lastDot + 1), 'base64url'),
  };
}

/** The vector's JWK, imported the way a user configures a signing key bound to the vector's alg. */
function keyOf(vector: RfcVector) {
  return resolveKey({ alg: vector.alg as Algorithm, key: vector.key as JsonWebKey }, 'signingKey', 'sign');
}

function verifierFor(vector: RfcVector) {
  return createJwsVerifier(
    createKeyRing({ signingKey: { alg: vector.alg as Algorithm, key: vector.key as JsonWebKey } }),
  );
}

const validIds = ['rfc7515-A.1', 'rfc7515-A.2', 'rfc7515-A.3', 'rfc7515-A.4', 'rfc8037-A.4'].concat(
  ['4.1', '4.2', '4.3', '4.4'].map((section) => `rfc7520-${section}`),
);
const deterministicIds = ['rfc7515-A.1', 'rfc7515-A.2', 'rfc8037-A.4', 'rfc7520-4.1', 'rfc7520-4.4'];
/** The RFC 7515 examples are JWTs: their payload is a JSON claims object with exp = 1300819380. */
const jwtIds = ['rfc7515-A.1', 'rfc7515-A.2', 'rfc7515-A.3'];
const rfcJwtClaims = { iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true };

describe.skipIf(!haveVectors)(`RFC known-answer JWS vectors (rfc-vectors.json)${vectorsNote}`, () => {
  it('holds the 13 vectors with the expectations this suite encodes', () => {
    expect(vectors.map((vector) => [vector.id, vector.expect])).toEqual([
      ...validIds.slice(0, 4).map((id) => [id, 'valid']),
      ['rfc7515-A.5', 'invalid'],
      ['rfc7515-A.6', 'reject-if-compact-only'],
      ['rfc7515-A.7', 'reject-if-compact-only'],
      ...validIds.slice(4).map((id) => [id, 'valid']),
      ['rfc7520-4.5', 'detached'],
    ]);
    expect(vectors.filter((vector) => vector.deterministic === true).map((vector) => vector.id)).toEqual([
      ...deterministicIds,
      'rfc7520-4.5',
    ]);
  });

  describe.each(validIds)('%s', (id) => {
    it('verifies with its key, and the protected header is the published bytes (not re-serialized)', () => {
      const vector = byId(id);
      const token = vector.compact as string;
      expect(Buffer.from(parts(token).header, 'base64url').toString('utf8')).toBe(vector.protectedHeaderJson);
      const key = keyOf(vector);
      const { input, signature } = parts(token);
      expect(verifyBytes(key.alg, key.verificationKey, input, signature)).toBe(true);
      const verify = verifierFor(vector);
      if (jwtIds.includes(id)) {
        expect(verify(token).payload).toEqual(rfcJwtClaims);
      } else {
        // Text payloads ("Payload", the RFC 7520 quote) pass the signature, then are no claims set.
        expect(Buffer.from(parts(token).payload, 'base64url').toString('utf8')).toBe(vector.payloadText);
        expect(refusal(() => verify(token))).toEqual({ code: 'token_invalid', reason: 'payload_json' });
      }
    });

    it('is refused once one signature byte changes', () => {
      const vector = byId(id);
      const { input, signature } = parts(vector.compact as string);
      const middle = signature.length >> 1;
      signature[middle] = (signature[middle] ?? 0) ^ 0x01;
      const tampered = `${input}.${signature.toString('base64url')}`;
      expect(refusal(() => verifierFor(vector)(tampered))).toEqual({
        code: 'token_invalid',
        reason: 'signature',
      });
    });

    if (deterministicIds.includes(id)) {
      it('is reproduced byte for byte by signBytes (deterministic algorithm)', () => {
        const vector = byId(id);
        const key = keyOf(vector);
        const { input, signature } = parts(vector.compact as string);
        expect(
          signBytes(key.alg, key.signingKey as NonNullable<typeof key.signingKey>, input).toString(
            'base64url',
          ),
        ).toBe(signature.toString('base64url'));
      });
    } else {
      it('is randomized: a fresh signature over the same input differs and still verifies', () => {
        const vector = byId(id);
        const key = keyOf(vector);
        const { input, signature } = parts(vector.compact as string);
        const fresh = signBytes(key.alg, key.signingKey as NonNullable<typeof key.signingKey>, input);
        expect(fresh.equals(signature)).toBe(false);
        expect(fresh).toHaveLength(signature.length);
        expect(verifyBytes(key.alg, key.verificationKey, input, fresh)).toBe(true);
      });
    }
  });

  it('RFC 7515 A.4 carries a 132-byte ES512 signature (66 + 66)', () => {
    expect(parts(byId('rfc7515-A.4').compact as string).signature).toHaveLength(132);
  });

  describe('JWT-level checks with an injected clock (the examples expire 2011-03-22T18:43:00Z)', () => {
    const exp = rfcJwtClaims.exp;
    const rules = { issuers: ['joe'], audiences: [], leeway: 0 };
    /** The verified RFC claims, completed with what our access tokens always carry. */
    const asAccess = (id: string) => ({
      ...verifierFor(byId(id))(byId(id).compact).payload,
      sub: 'joe',
      type: 'access',
    });

    it.each(jwtIds)(
      '%s: its verified exp holds until the second before exp and fails on and after exp',
      (id) => {
        expect(checkClaims(asAccess(id), 'at+jwt', 'access', rules, exp - 1)).toMatchObject({
          iss: 'joe',
          exp,
        });
        expect(refusal(() => checkClaims(asAccess(id), 'at+jwt', 'access', rules, exp)).code).toBe(
          'token_expired',
        );
        expect(refusal(() => checkClaims(asAccess(id), 'at+jwt', 'access', rules, exp + 3600)).code).toBe(
          'token_expired',
        );
        const lenient = { ...rules, leeway: 60 };
        expect(checkClaims(asAccess(id), 'at+jwt', 'access', lenient, exp + 59).exp).toBe(exp);
        expect(refusal(() => checkClaims(asAccess(id), 'at+jwt', 'access', lenient, exp + 60)).code).toBe(
          'token_expired',
        );
      },
    );

    it.each(jwtIds)(
      '%s: the token service, clocked before exp, refuses it only for lacking our claims (sub)',
      (id) => {
        const vector = byId(id);
        const { d: _private, ...publicJwk } = vector.key as JsonWebKey;
        for (const seconds of [exp - 1, exp + 1]) {
          const service = createTokenService({
            verificationKeys: [{ alg: vector.alg as Algorithm, key: publicJwk }],
            issuer: 'joe',
            clock: () => seconds * 1000,
          });
          // Shape is checked before type and time: no `sub`, so token_invalid whatever the clock says.
          expect(refusal(() => service.verifyAccessToken(vector.compact))).toEqual({
            code: 'token_invalid',
            reason: 'sub',
          });
        }
      },
    );
  });

  describe('what a compact-only JWT verifier must refuse', () => {
    it('RFC 7515 A.5: the unsecured JWS (alg none, empty signature) is refused by HS, RS and ES rings alike', () => {
      const unsecured = byId('rfc7515-A.5').compact as string;
      expect(unsecured.endsWith('.')).toBe(true);
      for (const id of ['rfc7515-A.1', 'rfc7515-A.2', 'rfc7515-A.3']) {
        const verify = verifierFor(byId(id));
        expect(refusal(() => verify(unsecured))).toEqual({ code: 'token_invalid', reason: 'empty_segment' });
        // With a signature appended, the header is read: "none" is not the algorithm the key is bound to.
        expect(refusal(() => verify(`${unsecured}AAAA`))).toEqual({
          code: 'token_invalid',
          reason: 'alg_mismatch',
        });
      }
    });

    it.each(['rfc7515-A.6', 'rfc7515-A.7'])(
      '%s: the JSON serialization is refused as text and as an object',
      (id) => {
        const vector = byId(id);
        for (const key of vector.keys ?? []) {
          const alg = key.kty === 'RSA' ? 'RS256' : 'ES256';
          const { d: _private, ...publicJwk } = key;
          const verify = createJwsVerifier(createKeyRing({ verificationKeys: [{ alg, key: publicJwk }] }));
          expect(refusal(() => verify(JSON.stringify(vector.json)))).toEqual({
            code: 'token_invalid',
            reason: 'segments',
          });
          expect(refusal(() => verify(vector.json))).toEqual({
            code: 'token_invalid',
            reason: 'not_a_string',
          });
        }
      },
    );

    it('RFC 7515 A.7: the same signature in compact form is accepted, so only the serialization is refused', () => {
      const vector = byId('rfc7515-A.7');
      const json = vector.json as { payload: string; protected: string; signature: string };
      const [key] = vector.keys ?? [];
      const { d: _private, ...publicJwk } = key as JsonWebKey;
      const verify = createJwsVerifier(
        createKeyRing({ verificationKeys: [{ alg: 'ES256', key: publicJwk }] }),
      );
      expect(verify(`${json.protected}.${json.payload}.${json.signature}`).payload).toEqual(rfcJwtClaims);
    });

    it('RFC 7520 4.5: the detached-content form (empty payload segment) is refused before any crypto', () => {
      const detached = byId('rfc7520-4.5');
      const verify = verifierFor(detached);
      expect(refusal(() => verify(detached.compact))).toEqual({
        code: 'token_invalid',
        reason: 'empty_segment',
      });
      // Re-attaching the payload gives exactly the 4.4 token: the signature itself was fine.
      const [header, , signature] = (detached.compact as string).split('.');
      const attached = `${header}.${Buffer.from(detached.payloadText as string).toString('base64url')}.${signature}`;
      expect(attached).toBe(byId('rfc7520-4.4').compact);
    });
  });
});

describe.skipIf(!haveVectors)(`RFC 7520 cookbook and RFC 7797 files${vectorsNote}`, () => {
  const verifyHmac = () =>
    createJwsVerifier(
      createKeyRing({
        signingKey: {
          alg: 'HS256',
          key: readVector<JsonWebKey>('rfc7520/jwk/3_5.symmetric_key_mac_computation.json') ?? {},
        },
      }),
    );

  it('the transcriptions in rfc-vectors.json match the cookbook files they came from', () => {
    const pairs: [string, string][] = [
      ['jws/4_1.rsa_v15_signature.json', 'rfc7520-4.1'],
      ['jws/4_2.rsa-pss_signature.json', 'rfc7520-4.2'],
      ['jws/4_3.ecdsa_signature.json', 'rfc7520-4.3'],
      ['jws/4_4.hmac-sha2_integrity_protection.json', 'rfc7520-4.4'],
      ['jws/4_5.signature_with_detached_content.json', 'rfc7520-4.5'],
    ];
    for (const [file, id] of pairs) {
      const source = cookbook(file);
      expect(source?.output.compact, file).toBe(byId(id).compact);
      expect(source?.input.payload, file).toBe(byId(id).payloadText);
    }
  });

  it.each([
    'jws/4_1.rsa_v15_signature.json',
    'jws/4_4.hmac-sha2_integrity_protection.json',
    'jws/4_6.protecting_specific_header_fields.json',
    'jws/4_7.protecting_content_only.json',
    'jws/4_8.multiple_signatures.json',
  ])('%s: the general and flattened JSON serializations are refused', (file) => {
    const source = cookbook(file);
    const verify = verifyHmac();
    for (const form of [source?.output.json, source?.output.json_flat]) {
      if (form === undefined) continue;
      expect(refusal(() => verify(JSON.stringify(form)))).toEqual({
        code: 'token_invalid',
        reason: 'segments',
      });
      expect(refusal(() => verify(form))).toEqual({ code: 'token_invalid', reason: 'not_a_string' });
    }
    expect(source?.output.json).toBeDefined();
  });

  it('4_6 and 4_7 have no compact form; 4_7 squeezed into one (no protected header) is refused', () => {
    expect(cookbook('jws/4_6.protecting_specific_header_fields.json')?.output.compact).toBeUndefined();
    const contentOnly = cookbook('jws/4_7.protecting_content_only.json');
    const flat = contentOnly?.output.json_flat as { payload: string; signature: string };
    expect(refusal(() => verifyHmac()(`.${flat.payload}.${flat.signature}`))).toEqual({
      code: 'token_invalid',
      reason: 'segments',
    });
  });

  it('RFC 7797 (b64:false with crit ["b64"]) in compact form is refused for its crit header', () => {
    const source = cookbook('rfc7797/hmac-sha2_b64_false.json');
    const verify = createJwsVerifier(
      createKeyRing({ signingKey: { alg: 'HS256', key: source?.input.key as JsonWebKey } }),
    );
    expect(refusal(() => verify(source?.output.compact))).toEqual({
      code: 'token_invalid',
      reason: 'crit_unsupported',
    });
    // Its payload is raw text (spaces, "!"), which is why b64:false must never be half-understood.
    expect(source?.output.compact).toContain('This is the payload string!');
  });

  it('RFC 7797 section 4.2 (JSON only, b64:false): no compact form of it gets through', () => {
    const source = cookbook('rfc7797/4.2.hmac-sha2_b64_false.json');
    const flat = source?.output.json_flat as { payload: string; protected: string; signature: string };
    const verify = createJwsVerifier(
      createKeyRing({ signingKey: { alg: 'HS256', key: source?.input.key as JsonWebKey } }),
    );
    // The unencoded payload "$.02" even holds a dot, so squeezing it into compact form breaks the segments.
    expect(flat.payload).toBe('$.02');
    expect(refusal(() => verify(`${flat.protected}.${flat.payload}.${flat.signature}`))).toEqual({
      code: 'token_invalid',
      reason: 'segments',
    });
    // With the payload base64url-encoded, the header's b64:false (without crit) is what refuses it.
    const encoded = `${flat.protected}.${Buffer.from(flat.payload).toString('base64url')}.${flat.signature}`;
    expect(refusal(() => verify(encoded))).toEqual({ code: 'token_invalid', reason: 'b64_unsupported' });
    expect(refusal(() => verify(JSON.stringify(flat)))).toEqual({
      code: 'token_invalid',
      reason: 'segments',
    });
  });

  it('the cookbook encryption key (use enc, alg A256GCM) is refused as an HS256 key', () => {
    const key = readVector<JsonWebKey>('rfc7520/jwk/3_6.symmetric_key_encryption.json') ?? {};
    expect(() => resolveKey({ alg: 'HS256', key }, 'signingKey', 'sign')).toThrow('declares alg "A256GCM"');
    expect(() => resolveKey({ alg: 'HS256', key: { ...key, alg: undefined } }, 'signingKey', 'sign')).toThrow(
      'use "enc"',
    );
  });
});
