import { constants, createHmac, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import type { Algorithm } from 'authjwt';
import { type AccessHeader, type LibraryCases, nextAccessClaims } from './fixture.js';
import type { KeyMaterial } from './keys.js';

/**
 * The floor: the least a correct verifier of these tokens does, written straight on node:crypto with
 * KeyObjects made once and the algorithm fixed in advance. Verify: split the token, decode the
 * signature, check it over the signing input, decode and JSON.parse the payload, check `exp`.
 * Sign: build the claims, JSON.stringify + base64url the payload (the constant header segment is
 * encoded once), sign, base64url the signature. No header parsing, no strict base64url, no claim
 * shape checks: everything authjwt does beyond this is its overhead. With `expected` (a token of
 * another issuer, bench/external.ts) it also checks that `iss` is the issuer and `aud` the audience
 * or an array holding it, as every verifier of such tokens must.
 */
export function createRaw(
  km: KeyMaterial,
  header: AccessHeader,
  expected?: { readonly issuer: string; readonly audience: string },
): LibraryCases {
  const headerSegment = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const { signInput, checkSignature } = primitives(km.alg, km.signingKey, km.verificationKey);
  return {
    async: false,
    sign() {
      const payload = Buffer.from(JSON.stringify(nextAccessClaims()), 'utf8').toString('base64url');
      const input = `${headerSegment}.${payload}`;
      return `${input}.${signInput(input).toString('base64url')}`;
    },
    verify(token) {
      const firstDot = token.indexOf('.');
      const lastDot = token.lastIndexOf('.');
      if (firstDot <= 0 || lastDot === firstDot) throw new Error('raw: malformed token');
      const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
      if (!checkSignature(token.slice(0, lastDot), signature)) throw new Error('raw: bad signature');
      const payload = JSON.parse(
        Buffer.from(token.slice(firstDot + 1, lastDot), 'base64url').toString('utf8'),
      ) as {
        exp?: unknown;
        iss?: unknown;
        aud?: unknown;
      };
      if (typeof payload.exp !== 'number' || Math.floor(Date.now() / 1000) >= payload.exp) {
        throw new Error('raw: expired');
      }
      if (expected !== undefined) {
        const { aud } = payload;
        if (payload.iss !== expected.issuer) throw new Error('raw: issuer');
        if (aud !== expected.audience && !(Array.isArray(aud) && aud.includes(expected.audience))) {
          throw new Error('raw: audience');
        }
      }
      return payload;
    },
  };
}

interface Primitives {
  signInput(input: string): Buffer;
  checkSignature(input: string, signature: Buffer): boolean;
}

function primitives(alg: Algorithm, signingKey: KeyObject, verificationKey: KeyObject): Primitives {
  if (alg === 'EdDSA') {
    return {
      signInput: (input) => sign(null, Buffer.from(input, 'latin1'), signingKey),
      checkSignature: (input, signature) =>
        verify(null, Buffer.from(input, 'latin1'), verificationKey, signature),
    };
  }
  const hash = `sha${alg.slice(2)}`;
  switch (alg.slice(0, 2)) {
    case 'HS': {
      const length = Number(alg.slice(2)) / 8;
      return {
        signInput: (input) => createHmac(hash, signingKey).update(input, 'latin1').digest(),
        checkSignature: (input, signature) =>
          signature.length === length &&
          timingSafeEqual(createHmac(hash, verificationKey).update(input, 'latin1').digest(), signature),
      };
    }
    case 'RS':
      return {
        signInput: (input) => sign(hash, Buffer.from(input, 'latin1'), signingKey),
        checkSignature: (input, signature) =>
          verify(hash, Buffer.from(input, 'latin1'), verificationKey, signature),
      };
    case 'PS': {
      const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
      const signOptions = { key: signingKey, ...pss };
      const verifyOptions = { key: verificationKey, ...pss };
      return {
        signInput: (input) => sign(hash, Buffer.from(input, 'latin1'), signOptions),
        checkSignature: (input, signature) =>
          verify(hash, Buffer.from(input, 'latin1'), verifyOptions, signature),
      };
    }
    default: {
      const signOptions = { key: signingKey, dsaEncoding: 'ieee-p1363' as const };
      const verifyOptions = { key: verificationKey, dsaEncoding: 'ieee-p1363' as const };
      return {
        signInput: (input) => sign(hash, Buffer.from(input, 'latin1'), signOptions),
        checkSignature: (input, signature) =>
          verify(hash, Buffer.from(input, 'latin1'), verifyOptions, signature),
      };
    }
  }
}
