import { randomBytes } from 'node:crypto';
import { createAuth } from 'authjwt';
import * as jose from 'jose';
import { refuses, tamperedSignature } from './equivalence.js';
import { decodeSegment, type LibraryCases } from './fixture.js';
import type { WorkerInput } from './library-worker.js';
import { createRaw } from './raw.js';

/** What bench/external.ts hands each worker beside the tokens (plain data). */
export interface ExternalSetup {
  readonly issuer: string;
  readonly audience: string;
  /** The loopback server's JWKS URL, which authjwt fetches. */
  readonly jwksUri: string;
  /** The same set, which jose is given to verify against locally. */
  readonly jwks: jose.JSONWebKeySet;
  /** Tokens every verifier must refuse (wrong audience, wrong issuer, expired). */
  readonly refused: readonly string[];
}

/** The verifiers of tokens of another issuer, one per worker; `raw` is the floor the others are compared with. */
export const externalVerifiers = [
  { id: 'raw', label: 'raw node:crypto' },
  { id: 'authjwt', label: 'authjwt, verified-token cache off' },
  { id: 'authjwt-cached', label: 'authjwt, repeat tokens (cache on)' },
  { id: 'jose', label: 'jose jwtVerify + createLocalJWKSet' },
] as const;

const notMeasured = () => {
  throw new Error('external tokens are signed by their issuer; only verify is measured');
};

/** Sets up one verifier (library-worker.ts calls this in its worker) and checks it does the whole job. */
export async function createCases({
  libraryId,
  km,
  header,
  tokens,
  options,
}: WorkerInput): Promise<LibraryCases> {
  const { issuer, audience, jwksUri, jwks, refused } = options as ExternalSetup;
  let cases: LibraryCases;
  let subjectOf = (result: unknown) => (result as { sub?: unknown }).sub;
  if (libraryId === 'raw') {
    cases = createRaw(km, header, { issuer, audience });
  } else if (libraryId === 'jose') {
    const keys = jose.createLocalJWKSet(jwks);
    const verifyOptions = { issuer, audience, algorithms: [km.alg], typ: header.typ };
    cases = {
      async: true,
      sign: notMeasured,
      verify: async (token) => (await jose.jwtVerify(token, keys, verifyOptions)).payload,
    };
  } else {
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: randomBytes(32).toString('base64url') },
      externalIssuers: [{ issuer, audience, algorithms: [km.alg], jwksUri, allowHttp: true }],
      ...(libraryId === 'authjwt' && { verifiedTokenCache: 0 }),
    });
    // The one real fetch of the set; from here on every check is the warm, synchronous path.
    await auth.checkExternalIssuers();
    if (auth.authenticateExternalNow(tokens[0]) instanceof Promise) throw new Error('keys not at hand');
    cases = { async: false, sign: notMeasured, verify: (token) => auth.authenticateExternalNow(token) };
    subjectOf = (result) => (result as { subject?: unknown }).subject;
  }

  const where = `${km.alg} ${libraryId}`;
  for (const token of tokens) {
    if (subjectOf(await cases.verify(token)) !== decodeSegment(token, 1).sub) {
      throw new Error(`${where}: verify did not return the token's subject`);
    }
  }
  for (const token of [tamperedSignature(tokens[0] as string), ...refused]) {
    if (!(await refuses(cases, token))) throw new Error(`${where}: verify accepted a token it must refuse`);
  }
  return cases;
}
