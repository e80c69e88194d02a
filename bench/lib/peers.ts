import { webcrypto } from 'node:crypto';
import type { Algorithm, TokenService } from 'authjwt';
import { createSigner, createVerifier } from 'fast-jwt';
import * as jose from 'jose';
import jwt from 'jsonwebtoken';
import { type AccessHeader, type LibraryCases, nextAccessClaims, nextUser } from './fixture.js';
import type { KeyMaterial } from './keys.js';
import { createRaw } from './raw.js';

export interface LibrarySetup {
  readonly km: KeyMaterial;
  /** The header authjwt writes (alg, typ at+jwt, its default kid); every signer is set up to write it. */
  readonly header: AccessHeader;
  /** authjwt, already configured with this key. */
  readonly service: TokenService;
  /** authjwt with its default verified-token cache (the others verify in full every time). */
  readonly cachedService: TokenService;
}

export interface Library {
  readonly id: string;
  /** A peer competes for "best peer"; raw and authjwt do not. */
  readonly peer: boolean;
  label(alg: Algorithm): string;
  supports(alg: Algorithm): boolean;
  create(setup: LibrarySetup): Promise<LibraryCases>;
}

const everyAlgorithm = () => true;

export const libraries: readonly Library[] = [
  {
    id: 'raw',
    peer: false,
    label: () => 'raw node:crypto',
    supports: everyAlgorithm,
    create: async ({ km, header }) => createRaw(km, header),
  },
  {
    id: 'authjwt',
    peer: false,
    label: () => 'authjwt',
    supports: everyAlgorithm,
    create: async ({ service }) => ({
      async: false,
      sign: () => service.signAccessToken(nextUser()).token,
      verify: (token) => service.verifyAccessToken(token),
    }),
  },
  {
    id: 'authjwt-cached',
    peer: false,
    label: () => 'authjwt, repeat tokens (verified-token cache)',
    supports: everyAlgorithm,
    create: async ({ cachedService }) => ({
      async: false,
      sign: () => cachedService.signAccessToken(nextUser()).token,
      verify: (token) => cachedService.verifyAccessToken(token),
    }),
  },
  {
    // Sync; keys given as text (it makes KeyObjects once); no verify cache (its default).
    id: 'fast-jwt',
    peer: true,
    label: () => 'fast-jwt',
    supports: everyAlgorithm,
    create: async ({ km, header }) => {
      const signer = createSigner({
        key: km.signingText,
        algorithm: km.alg,
        kid: header.kid,
        header: { alg: km.alg, typ: header.typ },
      });
      const verifier = createVerifier({
        key: km.verificationText,
        algorithms: [km.alg],
        checkTyp: header.typ,
      });
      return {
        async: false,
        sign: () => signer(nextAccessClaims()),
        verify: (token) => verifier(token),
      };
    },
  },
  {
    // Async (WebCrypto); at its best: CryptoKeys imported once, not a Uint8Array secret per call.
    id: 'jose',
    peer: true,
    label: () => 'jose (CryptoKey)',
    supports: everyAlgorithm,
    create: async ({ km, header }) => {
      const { signingKey, verificationKey } = await joseKeys(km);
      const protectedHeader = { alg: header.alg, typ: header.typ, kid: header.kid };
      const options = { algorithms: [km.alg], typ: header.typ };
      return {
        async: true,
        sign: () =>
          new jose.SignJWT({ ...nextAccessClaims() }).setProtectedHeader(protectedHeader).sign(signingKey),
        verify: async (token) => (await jose.jwtVerify(token, verificationKey, options)).payload,
      };
    },
  },
  jsonwebtoken(
    'jsonwebtoken',
    () => 'jsonwebtoken (KeyObject)',
    (km) => [km.signingKey, km.verificationKey],
  ),
  jsonwebtoken(
    'jsonwebtoken-string',
    (alg) => (alg.startsWith('HS') ? 'jsonwebtoken (string secret)' : 'jsonwebtoken (PEM string)'),
    (km) => [km.signingText, km.verificationText],
  ),
];

/** jsonwebtoken v9 has no EdDSA. A string key is parsed into a KeyObject on every call. */
function jsonwebtoken(
  id: string,
  label: (alg: Algorithm) => string,
  keys: (km: KeyMaterial) => [jwt.Secret, jwt.Secret],
): Library {
  return {
    id,
    peer: true,
    label,
    supports: (alg) => alg !== 'EdDSA',
    create: async ({ km, header }) => {
      const [signingKey, verificationKey] = keys(km);
      const alg = km.alg as jwt.Algorithm;
      const signOptions: jwt.SignOptions = {
        algorithm: alg,
        keyid: header.kid,
        header: { alg, typ: header.typ },
      };
      const verifyOptions: jwt.VerifyOptions = { algorithms: [alg] };
      return {
        async: false,
        sign: () => jwt.sign(nextAccessClaims(), signingKey, signOptions),
        verify: (token) => jwt.verify(token, verificationKey, verifyOptions),
      };
    },
  };
}

async function joseKeys(
  km: KeyMaterial,
): Promise<{ signingKey: jose.CryptoKey; verificationKey: jose.CryptoKey }> {
  if (km.secret !== undefined) {
    const hash = `SHA-${km.alg.slice(2)}`;
    const key = await webcrypto.subtle.importKey(
      'raw',
      Buffer.from(km.secret, 'utf8'),
      { name: 'HMAC', hash },
      false,
      ['sign', 'verify'],
    );
    return { signingKey: key as jose.CryptoKey, verificationKey: key as jose.CryptoKey };
  }
  return {
    signingKey: await jose.importPKCS8(km.signingText, km.alg),
    verificationKey: await jose.importSPKI(km.verificationText, km.alg),
  };
}
