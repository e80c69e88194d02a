import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExternalIssuerOptions } from '../issuers/options.js';

/**
 * The other issuer of the conformance suite's external-token check: a loopback server publishing
 * one ES256 key, and tokens signed with it. The suite tests adapters, not key sets, so this stands
 * in for a provider (authjwt's own tests run a real one).
 */
export interface ConformanceIssuer {
  /** Its entry for `externalIssuers`. */
  readonly options: ExternalIssuerOptions;
  /** A token of this issuer for the suite's audience, granting `scope`. */
  token(scope: string): string;
  close(): Promise<void>;
}

export const conformanceAudience = 'https://api.conformance.test';

/** The `externalIssuers` entry of the suite's other apps: configured, never asked (no token names it). */
export const idleConformanceIssuer: ExternalIssuerOptions = {
  issuer: 'https://issuer.conformance.test',
  jwksUri: 'https://issuer.conformance.test/jwks',
  audience: conformanceAudience,
  algorithms: ['ES256'],
};

export async function startConformanceIssuer(): Promise<ConformanceIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'conformance', alg: 'ES256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    options: {
      issuer: url,
      jwksUri: `${url}/jwks`,
      audience: conformanceAudience,
      algorithms: ['ES256'],
      allowHttp: true,
    },
    token(scope) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: url,
        aud: conformanceAudience,
        sub: 'partner-service',
        scope,
        iat: now,
        exp: now + 300,
      };
      const input = `${segment({ alg: 'ES256', kid: 'conformance' })}.${segment(claims)}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
